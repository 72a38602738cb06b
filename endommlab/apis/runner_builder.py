"""What ``tools/train.py`` and ``tools/test.py`` share: config → mmengine Runner."""
import contextlib
import os.path as osp
import sys
import uuid
from typing import Iterator, Optional

import torch
import torch.distributed as dist
from mmengine.config import Config
from mmengine.registry import RUNNERS
from mmengine.runner import Runner

from endommlab.engine.hooks import (register_degenerate_training_hook,
                                    register_safe_checkpoint_hook, register_weight_init_check_hook)
from endommlab.engine.runner import (AtomicCheckpointRunner, find_resume_checkpoint,
                                     incomplete_reason)
from endommlab.errors import CheckpointError, ConfigError, EndoMMLabError
from endommlab.utils import load_fitting_checkpoint


def load_config(config: str, cfg_options: Optional[dict] = None) -> Config:
    """Read a config file and apply ``--cfg-options``."""
    if not osp.isfile(config):
        raise ConfigError(f'config file {config} does not exist')
    cfg = Config.fromfile(config)
    if cfg_options:
        cfg.merge_from_dict(cfg_options)
    return cfg


def build_runner(config: str, mode: str = 'train', work_dir: Optional[str] = None,
                 cfg_options: Optional[dict] = None, launcher: str = 'none', amp: bool = False,
                 resume: Optional[str] = None, auto_scale_lr: bool = False,
                 checkpoint: Optional[str] = None, out: Optional[str] = None,
                 show_dir: Optional[str] = None) -> Runner:
    """Build the Runner of ``config`` for ``mode`` ``'train'`` or ``'test'``.

    Applies the OpenMMLab command-line conventions (work dir
    ``work_dirs/<config name>``, ``--resume``, ``--amp``, launcher), uses the
    gloo backend on machines without CUDA, and registers
    :class:`~endommlab.engine.hooks.SafeCheckpointHook` so checkpoints resume
    with ``weights_only=True``; in train mode
    :class:`~endommlab.engine.hooks.WeightInitCheckHook` logs where each part's
    weights come from and stops before a from-scratch trap. In test mode, ``out`` adds mmengine's
    ``DumpResults`` (a pickle of every prediction) and ``show_dir`` writes
    prediction-vs-ground-truth pictures: :class:`PolypOverlayHook` for the
    segmentation and detection scopes, MMPretrain's ``VisualizationHook`` for
    classifiers.
    """
    cfg = load_config(config, cfg_options)
    cfg.launcher = launcher
    if work_dir is not None:
        cfg.work_dir = work_dir
    elif cfg.get('work_dir') is None:
        cfg.work_dir = osp.join('work_dirs', osp.splitext(osp.basename(config))[0])
    if not torch.cuda.is_available():
        cfg.setdefault('env_cfg', {}).setdefault('dist_cfg', {})['backend'] = 'gloo'
        if launcher == 'pytorch' and not dist.is_initialized():
            # mmengine's init_dist calls torch.cuda.set_device unconditionally; on a CPU-only
            # machine the gloo group is started here, and the Runner then uses it.
            dist.init_process_group(backend='gloo')
        if launcher != 'none' and cfg.get('model_wrapper_cfg') is None:
            cfg.model_wrapper_cfg = dict(  # DDP over CPU modules takes no device ids
                type='MMDistributedDataParallel', device_ids=None, broadcast_buffers=False,
                find_unused_parameters=cfg.get('find_unused_parameters', False))
    if amp:
        if not torch.cuda.is_available():
            raise ConfigError('--amp needs a CUDA GPU; this machine has none')
        cfg.optim_wrapper.type = 'AmpOptimWrapper'
        cfg.optim_wrapper.setdefault('loss_scale', 'dynamic')
    if auto_scale_lr:
        if 'auto_scale_lr' not in cfg or 'base_batch_size' not in cfg.auto_scale_lr:
            raise ConfigError('--auto-scale-lr needs `auto_scale_lr = dict(base_batch_size=...)` '
                              'in the config')
        cfg.auto_scale_lr.enable = True
    skipped = []
    if resume == 'auto':  # the newest complete checkpoint, not mmengine's last_checkpoint
        point = find_resume_checkpoint(cfg.work_dir)  # None: nothing saved yet, start afresh
        cfg.resume, cfg.load_from, skipped = bool(point.checkpoint), point.checkpoint, point.skipped
    elif resume is not None:
        if not osp.isfile(resume):
            raise ConfigError(f'--resume checkpoint {resume} does not exist')
        reason = incomplete_reason(resume)
        if reason:
            raise CheckpointError(f'--resume {resume}: {reason}')
        cfg.resume, cfg.load_from = True, resume
    if mode == 'test':
        if checkpoint is None or not osp.isfile(checkpoint):
            raise ConfigError(f'checkpoint {checkpoint} does not exist')
        cfg.load_from = checkpoint
        if out:
            evaluators = cfg.test_evaluator
            if not isinstance(evaluators, list):
                evaluators = [evaluators]
            cfg.test_evaluator = evaluators + [dict(type='DumpResults', out_file_path=out)]
        if show_dir and cfg.get('default_scope') == 'mmpretrain':
            cfg.default_hooks.visualization = dict(type='VisualizationHook', enable=True,
                                                   out_dir=show_dir)
        elif show_dir:
            cfg.custom_hooks = list(cfg.get('custom_hooks', [])) + [
                dict(type='PolypOverlayHook', out_dir=show_dir)]
    if isinstance(cfg.get('visualizer'), dict):
        # mmengine hands out an existing visualizer of the same name (with its old save_dir):
        # a second runner in one process (a notebook, a test) would write into the first's
        # folder, or fail once that is gone
        cfg.visualizer.name = f"{cfg.visualizer.get('name', 'visualizer')}-{uuid.uuid4().hex[:8]}"
    try:
        runner = RUNNERS.build(cfg) if 'runner_type' in cfg else \
            AtomicCheckpointRunner.from_cfg(cfg)
    except TypeError as e:  # a typo'd key of a config or of --cfg-options
        if 'unexpected keyword argument' not in str(e):
            raise
        raise ConfigError(f'{config}: {str(e).strip()} (a misspelt key in the config or in '
                          '--cfg-options?)') from None
    if mode == 'test':  # mmengine loads non-strictly and only logs what did not fit
        load_fitting_checkpoint(runner.model, checkpoint, config)
    elif cfg.resume and cfg.load_from:
        load_fitting_checkpoint(runner.model, cfg.load_from, config)
        for path, reason in skipped:
            runner.logger.warning(f'--resume: skipped {path}: {reason}')
        runner.logger.info(f'--resume: continuing from {cfg.load_from}')
    register_safe_checkpoint_hook(runner)
    if mode == 'train':
        register_weight_init_check_hook(runner)
        register_degenerate_training_hook(runner)
    return runner


@contextlib.contextmanager
def report_user_errors() -> Iterator[None]:
    """Turn errors caused by data, configs or files into one line and exit code 2."""
    try:
        yield
    except EndoMMLabError as e:
        print(f'error: {e}', file=sys.stderr)
        sys.exit(2)
