"""Say where each part's weights come from, and refuse from-scratch traps."""
import os.path as osp
from typing import Dict, List, Optional, Tuple

import torch.nn as nn
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper
from mmengine.registry import HOOKS
from torch.nn.modules.batchnorm import _BatchNorm

from endommlab.errors import ConfigError

#: Below this BN momentum (PyTorch convention; Keras' 0.99 is 0.01) the running
#: statistics of a randomly initialised layer trail its weights by thousands of
#: iterations, and evaluation-mode predictions are meaningless meanwhile.
MIN_SCRATCH_MOMENTUM = 0.01
#: PyTorch's default. Between the two, random-init statistics lag by hundreds of
#: iterations (measured: MobileNetV3 at 0.01 fitted 8 images in 60 steps, training
#: accuracy 1.0, yet scored 0.50 in evaluation mode after 250): a warning.
SCRATCH_MOMENTUM = 0.1


def _pretrained_cfgs(module: nn.Module) -> List[dict]:
    init_cfg = getattr(module, 'init_cfg', None)
    cfgs = init_cfg if isinstance(init_cfg, list) else [init_cfg]
    return [c for c in cfgs if isinstance(c, dict) and c.get('type') == 'Pretrained']


def pretrained_sources(model: nn.Module) -> Dict[str, str]:
    """``{module path: checkpoint}`` of every ``init_cfg=dict(type='Pretrained')``."""
    return {name: cfg['checkpoint'] for name, module in model.named_modules()
            for cfg in _pretrained_cfgs(module)}


def _covered(path: str, sources: Dict[str, str]) -> Optional[str]:
    """The checkpoint that initialises ``path`` (itself or an ancestor), if any."""
    for prefix, checkpoint in sources.items():
        if prefix == '' or path == prefix or path.startswith(prefix + '.'):
            return checkpoint
    return None


def describe_init(model: nn.Module, load_from: Optional[str] = None,
                  resume: bool = False) -> List[Tuple[str, str]]:
    """One ``(part, where its weights come from)`` row per top-level part of ``model``."""
    sources = pretrained_sources(model)
    rows = []
    for name, part in model.named_children():
        if next(part.parameters(), None) is None:
            continue
        checkpoint = _covered(name, sources)
        if checkpoint is not None:
            origin = f'pretrained: {checkpoint}'
        else:
            inner = {p: c for p, c in sources.items() if p.startswith(name + '.')}
            origin = ('random init, except ' + ', '.join(f'{p[len(name) + 1:]} pretrained: {c}'
                                                         for p, c in inner.items())
                      if inner else 'random init')
        rows.append((name, origin))
    if resume:
        rows.append(('(all)', 'then overwritten by the resumed checkpoint'))
    elif load_from:
        rows.append(('(all)', f'then overwritten by load_from: {load_from}'))
    return rows


def _random_init_bns(model: nn.Module) -> List[Tuple[str, _BatchNorm]]:
    sources = pretrained_sources(model)
    return [(name, m) for name, m in model.named_modules()
            if isinstance(m, _BatchNorm) and m.momentum is not None
            and _covered(name, sources) is None]


def slow_scratch_statistics(model: nn.Module) -> List[str]:
    """Top-level parts whose random-init BN momentum is in [0.01, 0.1): slow to settle."""
    return list(dict.fromkeys(
        name.split('.')[0] for name, m in _random_init_bns(model)
        if MIN_SCRATCH_MOMENTUM <= m.momentum < SCRATCH_MOMENTUM))


def check_scratch_traps(model: nn.Module) -> None:
    """Raise :class:`ConfigError` for randomly initialised layers that cannot learn to predict.

    Two settings make sense only on top of pretrained weights: BN layers whose
    running statistics move too slowly (``momentum < 0.01``, e.g. Keras' 0.999)
    and layers kept frozen or in eval mode (``frozen_stages``, ``norm_eval``,
    ``norm_cfg.requires_grad=False``). From scratch, the first leaves the
    evaluation-mode model predicting nothing for thousands of iterations; the
    second keeps random weights and statistics for good.
    """
    sources = pretrained_sources(model)
    problems = []
    for name, module in _random_init_bns(model):
        if module.momentum < MIN_SCRATCH_MOMENTUM:
            part = name.split('.')[0]
            keras = 1 - module.momentum
            problems.append((part, f'BN momentum {module.momentum:g} (Keras {keras:g})',
                             f'model.{part}.norm_cfg.momentum={SCRATCH_MOMENTUM:g}'))
    for name, module in model.named_modules():
        if _covered(name, sources) is not None:
            continue
        if getattr(module, 'norm_eval', False):
            problems.append((name, 'norm_eval=True', f'model.{name}.norm_eval=False'))
        frozen = getattr(module, 'frozen_stages', -1)
        if isinstance(frozen, int) and frozen >= 0:
            problems.append((name, f'frozen_stages={frozen}', f'model.{name}.frozen_stages=-1'))
    frozen_params = [n for n, p in model.named_parameters()
                     if not p.requires_grad and _covered(n, sources) is None]
    if frozen_params:
        part = frozen_params[0].split('.')[0]
        problems.append((part, f'{len(frozen_params)} frozen parameters, e.g. {frozen_params[0]}',
                         f'model.{part}.norm_cfg.requires_grad=True'))
    if problems:
        seen = dict.fromkeys(f'{part}: {what}' for part, what, _ in problems)
        fixes = ' '.join(dict.fromkeys(fix for _, _, fix in problems))
        raise ConfigError(
            'these layers start from random weights (no pretrained init_cfg) with settings meant '
            f'for pretrained ones: {"; ".join(seen)}. Their evaluation-mode predictions would be '
            f'meaningless. Load the pretrained weights, use a *-scratch config, or set: '
            f'--cfg-options {fixes}')


@HOOKS.register_module()
class WeightInitCheckHook(Hook):
    """Log where every part's weights come from; stop before a from-scratch trap.

    Before training starts it logs, per top-level part of the model
    (``backbone``, ``decode_head`` ...), whether its weights are pretrained (and
    from which file) or randomly initialised, and what ``load_from`` /
    ``--resume`` overwrite. A local pretrained checkpoint that does not exist,
    or a random-init part with settings meant for pretrained weights (see
    :func:`check_scratch_traps`), stops the run with one
    :class:`~endommlab.errors.ConfigError` line instead of hours of training
    that predict nothing. A whole-model ``load_from`` or ``--resume`` skips the
    trap check (the weights are not random then). ``tools/train.py`` registers
    it for every config.
    """

    priority = 'VERY_HIGH'

    def before_run(self, runner) -> None:
        model = runner.model.module if is_model_wrapper(runner.model) else runner.model
        for path, checkpoint in pretrained_sources(model).items():
            if '://' not in checkpoint and not osp.isfile(checkpoint):
                raise ConfigError(
                    f'pretrained checkpoint {checkpoint} of model.{path or "(whole)"} does not '
                    f'exist: prepare it (see configs/<method>/README.md), or train from random '
                    f'init with a *-scratch config or --cfg-options model.{path}.init_cfg=None')
        rows = describe_init(model, runner._load_from, runner._resume)
        width = max(len(part) for part, _ in rows)
        runner.logger.info('weights at the start of training:\n' + '\n'.join(
            f'  {part:<{width}}  {origin}' for part, origin in rows))
        if not (runner._load_from or runner._resume):
            check_scratch_traps(model)
            for part in slow_scratch_statistics(model):
                runner.logger.warning(
                    f'{part}: random-init BN layers with momentum below {SCRATCH_MOMENTUM:g}; '
                    f'their running statistics settle only after hundreds of iterations, so early '
                    f'validations under-score (--cfg-options '
                    f'model.{part}.norm_cfg.momentum={SCRATCH_MOMENTUM:g} for short runs)')


def register_weight_init_check_hook(runner) -> None:
    """Add :class:`WeightInitCheckHook` to a training ``runner`` unless it has one."""
    if not any(isinstance(h, WeightInitCheckHook) for h in runner.hooks):
        runner.register_hook(WeightInitCheckHook(), priority=WeightInitCheckHook.priority)
