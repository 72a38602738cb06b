"""Inference on images, folders, arrays and videos with any backend (mmseg's MMSegInferencer)."""
import os
import os.path as osp
import sys
import time
from dataclasses import dataclass, field
from typing import Iterator, List, Optional, Tuple

import numpy as np
import torch
from mmengine.utils import track_iter_progress

from endommlab.deployment import ONNXRuntimeModel, TorchScriptModel
from endommlab.errors import ConfigError, OutputError
from endommlab.structures import Frame, InferenceInput, InferenceResult, InputType
from .inference import inference_pipeline, inference_results, init_model
from .inference_writer import InferenceWriter
from .model_zoo import resolve_model
from .runner_builder import load_config

BACKENDS = ('pytorch', 'torchscript', 'onnxruntime')


@dataclass
class InferenceRun:
    """Results of one run: per-frame results (if kept), skipped images and timings."""

    results: List[InferenceResult] = field(default_factory=list)
    skipped: List[Tuple[str, str]] = field(default_factory=list)
    times_ms: List[float] = field(default_factory=list)

    def summary(self) -> dict:
        """Frames, skipped images (name: reason), mean/min/max ms and FPS."""
        times = np.asarray(self.times_ms or [0.0])
        return dict(frames=len(self.times_ms), skipped=[f'{n}: {r}' for n, r in self.skipped],
                    mean_ms=float(times.mean()), min_ms=float(times.min()),
                    max_ms=float(times.max()),
                    fps=float(1000 / times.mean()) if self.times_ms else 0.0)

    def summary_line(self) -> str:
        s = self.summary()
        line = (f"{s['frames']} frames: mean {s['mean_ms']:.1f} ms (min {s['min_ms']:.1f}, "
                f"max {s['max_ms']:.1f}), {s['fps']:.1f} FPS")
        if self.skipped:
            line += f"; skipped {len(self.skipped)}: " + '; '.join(s['skipped'])
        return line


class PolypInferencer:
    """A model from a zoo name, or a config and checkpoint, ready to run on any input.

    ``model`` is a config file or a model-zoo name (``'nanonet-a_kvasir-seg'``; see
    :func:`~endommlab.apis.resolve_model`), whose shipped weights are used unless
    ``checkpoint`` is given. Inputs are anything :class:`InferenceInput` reads.

    Backends: ``'pytorch'`` (the model and the config's test pipeline, exactly as
    ``tools/test.py`` predicts, so threshold post-processing, ensembles and
    trimmed classifiers act unchanged; any ``device``), ``'torchscript'`` (the
    network traced, numpy pre/post-processing, CPU) and ``'onnxruntime'``
    (``checkpoint`` is a file from ``tools/deployment/export_onnx.py``, CPU).
    ``threads`` sets the intra-op threads of torch or ONNX Runtime;
    ``probability=False`` spares the deployed backends the full-size probability
    map (results then hold the mask and score only).

    Example::

        run = PolypInferencer('nanonet-a_kvasir-seg')('video.mp4', out_dir='out')
        inferencer = PolypInferencer('configs/nanonet/nanonet-a_....py', 'nanonet-a.onnx',
                                     backend='onnxruntime', threads=2)
        run = inferencer('video.mp4', out_dir='out')  # results, masks, overlay video
    """

    def __init__(self, model: str, checkpoint: Optional[str] = None, backend: str = 'pytorch',
                 device: str = 'cpu', threads: Optional[int] = None,
                 cfg_options: Optional[dict] = None, probability: bool = True) -> None:
        if backend not in BACKENDS:
            raise ConfigError(f'backend must be one of {BACKENDS}, got {backend!r}')
        if backend != 'pytorch' and device != 'cpu':
            raise ConfigError(f'the {backend} backend runs on the CPU; use --device cpu')
        if threads:
            torch.set_num_threads(threads)
        if backend == 'onnxruntime':  # the zoo gives the config; the .onnx file is the user's
            config, _ = resolve_model(model, checkpoint='')
        else:
            config, checkpoint = resolve_model(model, checkpoint)
        self.cfg = load_config(config, cfg_options)
        self.backend = backend
        if backend == 'onnxruntime':
            if not checkpoint:
                raise ConfigError('the onnxruntime backend needs the exported .onnx file')
            self.deployed = ONNXRuntimeModel(checkpoint, self.cfg, threads)
            self.deployed.with_probability = probability
            return
        if checkpoint is None:
            raise ConfigError('a checkpoint is needed')
        self.model = init_model(self.cfg, checkpoint, device)
        if backend == 'torchscript':
            self.deployed = TorchScriptModel(self.model, self.cfg)
            self.deployed.with_probability = probability
        else:
            self.pipeline = inference_pipeline(self.model.cfg)

    def infer(self, image: np.ndarray, name: str = '') -> InferenceResult:
        """Result of one BGR image (``ms``: pre-processing, network and post-processing)."""
        if self.backend != 'pytorch':
            return self.deployed(image, name)
        start = time.perf_counter()
        result = inference_results(self.model, [image], [name], self.pipeline)[0]
        result.ms = (time.perf_counter() - start) * 1000
        return result

    def iter_results(self, source: InferenceInput
                     ) -> Iterator[Tuple[Frame, Optional[InferenceResult]]]:
        """``(frame, result)`` per frame; ``result`` is None for a frame that cannot be read.

        ``result.ms`` includes the frame's decoding.
        """
        for frame in source:
            if frame.image is None:
                yield frame, None
                continue
            result = self.infer(frame.image, frame.name)
            result.index = frame.index
            result.ms += frame.decode_ms
            yield frame, result

    def __call__(self, inputs: InputType, out_dir: Optional[str] = None,
                 keep_results: bool = True, progress: bool = False) -> InferenceRun:
        """Run on ``inputs``; with ``out_dir``, write what :class:`InferenceWriter` writes.

        ``progress`` shows mmengine's progress bar on stderr (frames done of the total,
        frames per second as ``task/s``, elapsed time and ETA).
        """
        source = inputs if isinstance(inputs, InferenceInput) else InferenceInput(inputs)
        if out_dir and source.root and (osp.realpath(out_dir) + os.sep).startswith(
                osp.realpath(source.root) + os.sep):
            raise OutputError(f'--out-dir {out_dir} lies inside the input folder {source.root}: '
                              'its masks and overlays would become input of the next run; '
                              'choose a folder outside it')
        writer = InferenceWriter(out_dir, source) if out_dir else None
        run = InferenceRun()
        frames = self.iter_results(source)
        if progress:
            frames = track_iter_progress((frames, len(source)), file=sys.stderr)
        for frame, result in frames:
            if result is None:
                run.skipped.append((frame.name, frame.error))
                continue
            run.times_ms.append(result.ms)
            if writer:
                writer.write(frame, result)
            if keep_results:
                run.results.append(result)
        if writer:
            writer.close(dict(run.summary(), backend=self.backend))
        return run
