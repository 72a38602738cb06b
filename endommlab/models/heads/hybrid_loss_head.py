"""Linear head with auxiliary label-set heads trained by the hybrid loss."""
from typing import Dict, List, Optional, Sequence, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmpretrain.models.heads import LinearClsHead
from mmpretrain.registry import MODELS
from mmpretrain.structures import DataSample

from endommlab.errors import ConfigError


@MODELS.register_module()
class HybridLossHead(LinearClsHead):
    """Raw linear head plus one linear head per auxiliary label set.

    He, Bano, Stoyanov, Zuo, "Hybrid Loss with Network Trimming for Disease
    Recognition in Gastrointestinal Endoscopy" (EndoTect 2020), Eq. 1:

        L_h = CE_raw + CE_macro + CE_e + CE_u,

    each term the cross entropy of one linear head on the globally pooled
    feature (here each weighted by its loss config's ``loss_weight``). The raw
    head is ``self.fc`` exactly as in :class:`LinearClsHead`, so dropping
    ``aux_fcs`` (:class:`~endommlab.engine.hooks.TrimmingHook`) leaves a plain
    ``LinearClsHead`` with the same raw logits (paper Fig. 1c).

    The target of auxiliary head ``name`` is the data sample field
    ``gt_label_<name>`` (see :class:`~endommlab.datasets.HyperKvasirDataset`).
    :meth:`forward` returns the raw logits only; :meth:`predict` also sets
    ``pred_score_<name>`` and ``pred_label_<name>`` for every auxiliary head.

    Args:
        aux_heads: ``{name: dict(num_classes=K, loss=dict(type='CrossEntropyLoss',
            loss_weight=w))}``; ``loss`` defaults to cross entropy of weight 1.
        **kwargs: :class:`LinearClsHead` arguments for the raw head (its
            ``loss`` weights CE_raw).
    """

    def __init__(self, aux_heads: Dict[str, dict], **kwargs) -> None:
        super().__init__(**kwargs)
        if not aux_heads:
            raise ConfigError('HybridLossHead needs at least one auxiliary head; use '
                              'LinearClsHead for the raw head alone')
        self.aux_fcs = nn.ModuleDict()
        self.aux_losses = nn.ModuleDict()
        for name, cfg in aux_heads.items():
            if 'num_classes' not in cfg:
                raise ConfigError(f'auxiliary head {name!r} needs num_classes')
            self.aux_fcs[name] = nn.Linear(self.in_channels, cfg['num_classes'])
            self.aux_losses[name] = MODELS.build(
                cfg.get('loss', dict(type='CrossEntropyLoss', loss_weight=1.0)))

    def forward_all(self, feats: Tuple[torch.Tensor]) -> Dict[str, torch.Tensor]:
        """Logits of every head: ``{'raw': ..., <aux name>: ...}``."""
        x = self.pre_logits(feats)
        logits = {'raw': self.fc(x)}
        logits.update({name: fc(x) for name, fc in self.aux_fcs.items()})
        return logits

    def loss(self, feats: Tuple[torch.Tensor], data_samples: List[DataSample], **kwargs) -> dict:
        """``loss_raw`` + ``loss_<name>`` per auxiliary head (mmengine sums them: L_h).

        With ``cal_acc=True`` also ``accuracy_<head>`` (top-1, a fraction) for every head.
        """
        logits = self.forward_all(feats)
        losses = {}
        raw = super()._get_loss(logits['raw'], data_samples, **kwargs)
        losses['loss_raw'] = raw.pop('loss')
        for name, loss_module in self.aux_losses.items():
            target = self._aux_target(name, data_samples, logits[name].device)
            losses[f'loss_{name}'] = loss_module(logits[name], target,
                                                 avg_factor=logits[name].size(0), **kwargs)
        if self.cal_acc:
            for name, score in logits.items():
                target = (torch.cat([s.gt_label for s in data_samples]).to(score.device)
                          if name == 'raw' else self._aux_target(name, data_samples, score.device))
                losses[f'accuracy_{name}'] = (score.argmax(dim=1) == target).float().mean()
        return losses

    def predict(self, feats: Tuple[torch.Tensor],
                data_samples: Optional[Sequence[Optional[DataSample]]] = None) -> List[DataSample]:
        """Raw ``pred_score``/``pred_label`` plus ``pred_score_<name>``/``pred_label_<name>``."""
        logits = self.forward_all(feats)
        samples = self._get_predictions(logits['raw'], data_samples)
        for name in self.aux_fcs:
            scores = F.softmax(logits[name], dim=1)
            for sample, score in zip(samples, scores):
                sample.set_field(score, f'pred_score_{name}')
                sample.set_field(score.argmax(dim=0, keepdim=True).detach(), f'pred_label_{name}')
        return samples

    @staticmethod
    def _aux_target(name: str, data_samples: List[DataSample],
                    device: torch.device) -> torch.Tensor:
        key = f'gt_label_{name}'
        if key not in data_samples[0]:
            raise ConfigError(f'data samples have no `{key}` for auxiliary head {name!r}: add it '
                              "to the pipeline's PackInputs(algorithm_keys=...)")
        return torch.as_tensor([int(s.get(key)) for s in data_samples], device=device)
