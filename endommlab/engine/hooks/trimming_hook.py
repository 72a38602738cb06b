"""Network trimming: keep backbone, neck and raw head of a hybrid-loss classifier."""
import copy
import os
import os.path as osp
from collections import OrderedDict
from typing import Dict, Optional, Tuple

import torch
import torch.nn as nn
from mmengine.config import Config
from mmengine.dist import master_only
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper
from mmengine.registry import HOOKS

from endommlab.errors import ConfigError
from endommlab.utils.checkpoint import encode_safe

#: State-dict prefixes a trimmed classifier keeps (paper Fig. 1c).
KEEP_PREFIXES = ('backbone.', 'neck.', 'head.fc.')


def trimmed_head(head: dict) -> dict:
    """``LinearClsHead`` config of the raw head of a ``HybridLossHead`` config.

    Raises:
        ConfigError: ``head`` is not a ``HybridLossHead`` config.
    """
    if head.get('type') not in ('HybridLossHead', 'mmpretrain.HybridLossHead'):
        raise ConfigError(f"trimming needs a model with a HybridLossHead; this config's head is "
                          f"{head.get('type')!r}")
    raw = {k: copy.deepcopy(v) for k, v in head.items() if k != 'aux_heads'}
    raw['type'] = 'LinearClsHead'
    return raw


def trim_classifier(cfg: Config, state_dict: Dict[str, torch.Tensor]
                    ) -> Tuple[Config, 'OrderedDict[str, torch.Tensor]']:
    """Config and weights of the trimmed model of a ``HybridLossHead`` classifier.

    He et al. (EndoTect 2020), Fig. 1c: after training with the hybrid loss
    only the backbone and the raw head are needed. The trimmed config is
    ``cfg`` with its head replaced by :func:`trimmed_head` (a plain
    ``LinearClsHead`` with the same ``num_classes``, ``in_channels``, loss and
    top-k) and without :class:`TrimmingHook`; the trimmed weights are the
    ``backbone.``, ``neck.`` and ``head.fc.`` entries of ``state_dict``,
    unchanged, so the trimmed model gives the same raw logits.

    Raises:
        ConfigError: the config's head is not a ``HybridLossHead``, or the
            weights hold no raw head.
    """
    trimmed_cfg = Config(copy.deepcopy(cfg.to_dict()))
    trimmed_cfg.model.head = trimmed_head(cfg.model.get('head', {}))
    trimmed_cfg.pop('aux_heads', None)  # variable of configs/_base_/models/hybrid_loss_aux_heads.py
    trimmed_cfg.custom_hooks = [h for h in trimmed_cfg.get('custom_hooks', [])
                                if h.get('type') != 'TrimmingHook']
    kept = OrderedDict((k, v) for k, v in state_dict.items() if k.startswith(KEEP_PREFIXES))
    if not any(k.startswith('head.fc.') for k in kept):
        raise ConfigError('the weights hold no raw head (`head.fc.*`): they are not those of a '
                          'HybridLossHead classifier')
    return trimmed_cfg, kept


def save_trimmed(cfg: Config, state_dict: Dict[str, torch.Tensor], out_dir: str,
                 meta: Optional[dict] = None, name: str = 'trimmed') -> Tuple[str, str, nn.Module]:
    """Write ``<out_dir>/<name>.py`` and ``<out_dir>/<name>.pth``.

    The checkpoint is ``{'meta': ..., 'state_dict': ...}`` of tensors and plain
    values, loadable with ``torch.load(weights_only=True)``. The weights are
    checked by loading them strictly into the trimmed model, which is returned
    with the two paths.
    """
    from mmpretrain.registry import MODELS

    trimmed_cfg, kept = trim_classifier(cfg, state_dict)
    model = MODELS.build(copy.deepcopy(trimmed_cfg.model))
    result = model.load_state_dict(kept, strict=False)
    if result.missing_keys or result.unexpected_keys:
        raise ConfigError(f'the weights do not fit the trimmed model: missing '
                          f'{result.missing_keys[:5]}, unexpected {result.unexpected_keys[:5]}')
    os.makedirs(out_dir, exist_ok=True)
    cfg_path, ckpt_path = osp.join(out_dir, f'{name}.py'), osp.join(out_dir, f'{name}.pth')
    trimmed_cfg.dump(cfg_path)
    torch.save({'meta': encode_safe(dict(meta or {}, trimmed=True)), 'state_dict': kept}, ckpt_path)
    return cfg_path, ckpt_path, model


@HOOKS.register_module()
class TrimmingHook(Hook):
    """At the end of training, write the trimmed model (backbone + raw head).

    Writes ``<out_dir or work_dir>/trimmed.py`` (config with a plain
    ``LinearClsHead``) and ``trimmed.pth`` (final weights without the
    auxiliary heads) for a classifier with a ``HybridLossHead``; evaluate them
    with ``tools/test.py trimmed.py trimmed.pth``. For another checkpoint
    (e.g. the best one) use ``tools/model_converters/trim_classifier.py``.
    He et al., EndoTect 2020, Fig. 1c.
    """

    priority = 'LOW'

    def __init__(self, out_dir: Optional[str] = None, name: str = 'trimmed') -> None:
        self.out_dir = out_dir
        self.name = name

    def before_train(self, runner) -> None:
        trimmed_head(runner.cfg.model.get('head', {}))  # a config error shows before training

    @master_only
    def after_train(self, runner) -> None:
        model = runner.model.module if is_model_wrapper(runner.model) else runner.model
        state_dict = OrderedDict((k, v.detach().cpu()) for k, v in model.state_dict().items())
        meta = dict(epoch=runner.epoch, iter=runner.iter,
                    dataset_meta=getattr(runner.train_dataloader.dataset, 'metainfo', None))
        cfg_path, ckpt_path, trimmed = save_trimmed(
            runner.cfg, state_dict, self.out_dir or runner.work_dir, meta, self.name)
        before = sum(p.numel() for p in model.parameters())
        after = sum(p.numel() for p in trimmed.parameters())
        runner.logger.info(f'trimmed model written to {cfg_path} and {ckpt_path}: '
                           f'{after:,} parameters (untrimmed: {before:,})')
