"""Parameters, FLOPs, peak memory, inference latency and training throughput of one config."""
import copy
import os
import os.path as osp
import tempfile
import time
from typing import Dict, Optional, Sequence, Tuple

import numpy as np
import torch
from mmengine.analysis import get_model_complexity_info
from mmengine.config import Config
from mmengine.dataset import pseudo_collate
from mmengine.optim import build_optim_wrapper
from mmengine.registry import DATASETS
from torch import nn

from endommlab.apis import init_model
from endommlab.deployment import (DeployWrapper, ONNXRuntimeModel, deploy_meta, export_onnx,
                                  test_input_size, trace_torchscript)
from endommlab.errors import ConfigError
from .machine import cpu_description
from .memory import memory_mib, reset_peak_memory
from .references import REFERENCES
from .synthetic_batch import synthetic_batch
from .timing import time_interleaved

#: Parts of a training step that :meth:`ConfigBenchmark.step_breakdown` times, in order.
STEP_PARTS = ('load', 'load_again', 'preprocess', 'forward', 'backward', 'optimizer')
#: Inference paths: the network in eager PyTorch, as a frozen TorchScript trace, in ONNX Runtime.
MODES = ('eager', 'torchscript', 'onnxruntime')


class DetectorForward(nn.Module):
    """An mmdet detector's ``_forward`` (raw head outputs) on fixed data samples, for FLOPs."""

    def __init__(self, model: nn.Module, samples: list) -> None:
        super().__init__()
        self.model = model
        self.samples = samples

    def forward(self, inputs: torch.Tensor) -> object:
        return self.model._forward(inputs, self.samples)


def _uses_channels_last(cfg: Config) -> bool:
    return any(hook.get('type') == 'ChannelsLastHook' for hook in cfg.get('custom_hooks', []))


def _max_difference(a: object, b: object) -> float:
    return float(np.abs(np.asarray(a, dtype=np.float64) - np.asarray(b, dtype=np.float64)).max())


class ConfigBenchmark:
    """Measure the model of ``cfg`` (random weights unless ``checkpoint``) on ``size`` inputs.

    Latency: batch 1, evaluation mode, no gradients. For segmentors and
    classifiers the timed call is the network on normalised images up to its
    probabilities (``DeployWrapper``, what every deployment backend runs), for
    detectors ``model.test_step`` (network, NMS, masks). Training: images per
    second of ``model.train_step`` (data preprocessor, forward, losses,
    backward, the config's optimizer) on a random batch of ``batch`` images with
    one disc-shaped target each. A ``reference`` runs beside every measurement
    in turns (:func:`time_interleaved`), so ratios see the same machine load.
    Configs whose ``custom_hooks`` hold ``ChannelsLastHook`` are measured in
    channels-last, as they train and test.
    """

    def __init__(self, cfg: Config, checkpoint: Optional[str] = None,
                 size: Optional[Tuple[int, int]] = None, threads: Optional[int] = None,
                 reference: Optional[str] = None, reference_path: str = '') -> None:
        if threads:
            torch.set_num_threads(threads)
        self.cfg = cfg
        self.scope = cfg.get('default_scope', 'mmseg')
        self.threads = torch.get_num_threads()
        torch.manual_seed(0)
        self.model = init_model(cfg, checkpoint)
        if _uses_channels_last(cfg):
            self.model.to(memory_format=torch.channels_last)
        try:
            self.size = tuple(size or test_input_size(cfg))
        except ConfigError:
            raise ConfigError('the test pipeline has no fixed input size: pass --size') from None
        self.reference = None
        if reference:
            if reference not in REFERENCES:
                raise ConfigError(f"unknown reference '{reference}' (one of "
                                  f"{', '.join(sorted(REFERENCES))})")
            self.reference = REFERENCES[reference](cfg, reference_path, self.threads, self.size)

    def _batch(self, batch_size: int) -> dict:
        head = getattr(self.model, 'head', None)
        aux = {f'gt_label_{name}': fc.out_features
               for name, fc in getattr(head, 'aux_fcs', {}).items()}
        return synthetic_batch(self.scope, batch_size, self.size,
                               getattr(head, 'num_classes', 2), aux)

    def _normalised(self, batch: dict) -> dict:
        with torch.no_grad():
            return self.model.data_preprocessor(batch, False)

    def inference(self, modes: Sequence[str], warmup: int, repeats: int) -> Dict[str, dict]:
        """Latency per mode (and of the reference), with outputs checked against eager."""
        model = self.model.eval()
        batch = self._batch(1)
        data = self._normalised(batch)
        inputs = data['inputs']
        if self.scope == 'mmdet':
            if set(modes) - {'eager'}:
                raise ConfigError('detectors (mmcv RoIAlign/NMS ops) run in eager mode only: '
                                  'pass --modes eager')
            fns = {'eager': lambda: model.test_step(batch)}
        else:
            wrapper = DeployWrapper(model, deploy_meta(model, self.cfg, self.size)['output'])
            fns, outputs = {}, {}
            with torch.inference_mode():
                outputs['eager'] = wrapper(inputs).numpy()
            fns['eager'] = lambda: wrapper(inputs)
            if 'torchscript' in modes:
                traced = trace_torchscript(wrapper, inputs)
                fns['torchscript'] = lambda: traced(inputs)
                with torch.inference_mode():
                    outputs['torchscript'] = traced(inputs).numpy()
            if 'onnxruntime' in modes:
                with tempfile.TemporaryDirectory() as tmp:
                    onnx_file = osp.join(tmp, 'model.onnx')
                    export_onnx(model, self.cfg, onnx_file, self.size)
                    session = ONNXRuntimeModel(onnx_file, self.cfg, self.threads)
                array = inputs.contiguous().numpy()
                fns['onnxruntime'] = lambda: session.forward(array)
                outputs['onnxruntime'] = session.forward(array)
        if self.reference is not None:
            fns['reference'] = lambda: self.reference.forward(inputs)
        before = reset_peak_memory()
        with torch.inference_mode():
            timings = time_interleaved(fns, warmup, repeats)
        peak = memory_mib('VmHWM')
        results = {name: dict(t.summary(), peak_rss_mib=peak, peak_growth_mib=peak - before)
                   for name, t in timings.items()}
        for mode in results:
            if mode not in ('eager', 'reference') and self.scope != 'mmdet':
                results[mode]['max_diff_to_eager'] = _max_difference(outputs[mode],
                                                                     outputs['eager'])
        return results

    def training(self, batch_size: int, warmup: int, iters: int) -> Dict[str, dict]:
        """Training images per second of ``model.train_step`` (and of the reference)."""
        model = self.model.train()
        optim_wrapper = build_optim_wrapper(model, self.cfg.optim_wrapper)
        batch = self._batch(batch_size)
        losses: Dict[str, float] = {}

        def ours() -> None:
            log_vars = model.train_step(batch, optim_wrapper)
            losses['ours'] = float(log_vars['loss'].detach())

        fns = dict(train_step=ours)
        if self.reference is not None:
            images = self._normalised(batch)['inputs']
            masks = torch.stack([s.gt_sem_seg.data for s in batch['data_samples']]).float()

            def theirs() -> None:
                losses['reference'] = self.reference.train_step(images, masks)
            fns['reference'] = theirs
        before = reset_peak_memory()
        timings = time_interleaved(fns, warmup, iters)
        peak = memory_mib('VmHWM')
        results = {name: dict(t.summary(items=batch_size), peak_rss_mib=peak,
                              peak_growth_mib=peak - before) for name, t in timings.items()}
        results['train_step']['loss'] = losses['ours']
        if 'reference' in results:
            results['reference']['loss'] = losses['reference']
        return results

    def step_breakdown(self, batch_size: int, iters: int) -> Dict[str, float]:
        """Mean ms of each part of a training step on the config's own training data.

        ``load`` builds the batch's samples the first time (decoding, resizing, augmentation,
        packing: every step's cost without a cache, the first epoch's with ``CachedTransforms``),
        ``load_again`` the same samples a second time (what a cache leaves: augmentation and
        packing), then ``preprocess`` (collate and the data preprocessor), ``forward`` (with
        the losses), ``backward`` and ``optimizer`` (step and zero-grad). One untimed step first;
        the samples are ``batch_size * (iters + 1)`` evenly spaced images of the training set.
        """
        dataset = DATASETS.build(copy.deepcopy(self.cfg.train_dataloader.dataset))
        needed = batch_size * (iters + 1)
        if len(dataset) < needed:
            raise ConfigError(f'the training set has {len(dataset)} samples; '
                              f'{iters + 1} steps of {batch_size} need {needed}')
        order = np.linspace(0, len(dataset) - 1, needed).astype(int).tolist()
        model = self.model.train()
        optim_wrapper = build_optim_wrapper(model, self.cfg.optim_wrapper)
        parts: Dict[str, list] = {}
        for step in range(iters + 1):
            indices = order[step * batch_size:(step + 1) * batch_size]
            marks = [time.perf_counter()]
            samples = [dataset[i] for i in indices]
            marks.append(time.perf_counter())
            samples = [dataset[i] for i in indices]
            marks.append(time.perf_counter())
            data = model.data_preprocessor(pseudo_collate(samples), True)
            marks.append(time.perf_counter())
            with optim_wrapper.optim_context(model):  # the config's autocast, if any
                loss, _ = model.parse_losses(model._run_forward(data, mode='loss'))
            marks.append(time.perf_counter())
            optim_wrapper.backward(loss)
            marks.append(time.perf_counter())
            optim_wrapper.step()
            optim_wrapper.zero_grad()
            marks.append(time.perf_counter())
            if step:
                for name, begin, end in zip(STEP_PARTS, marks, marks[1:]):
                    parts.setdefault(name, []).append(1e3 * (end - begin))
        return {name: float(np.mean(times)) for name, times in parts.items()}

    def complexity(self) -> dict:
        """Parameters and multiply-adds of one forward pass (mmengine's counter)."""
        model = self.model.eval()
        batch = self._batch(1)
        data = self._normalised(batch)
        if self.scope == 'mmdet':
            counted = DetectorForward(model, data['data_samples'])
        else:
            counted = DeployWrapper(model, deploy_meta(model, self.cfg, self.size)['output'])
        with torch.no_grad():
            info = get_model_complexity_info(counted, inputs=(data['inputs'], ),
                                             show_table=False, show_arch=False)
        result = dict(params=sum(p.numel() for p in model.parameters()),
                      gmacs=info['flops'] / 1e9)
        if self.reference is not None:
            result['reference_params'] = self.reference.params
        return result

    def environment(self) -> dict:
        return dict(config=str(self.cfg.filename), scope=self.scope, size=list(self.size),
                    threads=self.threads, torch=torch.__version__, cpu=cpu_description(),
                    load_average=os.getloadavg(),
                    reference=self.reference.name if self.reference else None)
