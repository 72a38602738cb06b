"""Validation soft-Dice loss, the quantity NanoNet's schedule and early stopping watch."""
from typing import Dict, List, Optional, Sequence

import torch
from mmengine.evaluator import BaseMetric
from mmseg.registry import METRICS

from endommlab.errors import DataError
from endommlab.models.segmentors import polyp_probability


@METRICS.register_module()
class DiceLossMetric(BaseMetric):
    """Mean over images of ``1 - (2 * sum(y * p) + eps) / (sum(y) + sum(p) + eps)``.

    Keras' ``val_loss`` of Jha et al.'s NanoNet (CBMS 2021), which their
    ``ReduceLROnPlateau`` and ``EarlyStopping`` monitor. mmseg's validation loop
    computes no loss, so this metric recomputes it from each prediction's
    ``seg_logits`` (the sigmoid probability of a one-channel model, or the
    softmax probability of ``polyp_index``) against ``y = (gt == polyp_index)``
    at the original image size, ignoring ``ignore_index`` pixels. Reported as
    ``val/dice_loss``; it equals Keras' value for a validation batch of one.
    """

    default_prefix: Optional[str] = 'val'

    def __init__(self, polyp_index: int = 1, eps: float = 1e-15, ignore_index: int = 255,
                 collect_device: str = 'cpu', prefix: Optional[str] = None) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix)
        self.polyp_index = polyp_index
        self.eps = eps
        self.ignore_index = ignore_index

    def process(self, data_batch: dict, data_samples: Sequence[dict]) -> None:
        for sample in data_samples:
            if 'seg_logits' not in sample or 'gt_sem_seg' not in sample:
                raise DataError('DiceLossMetric needs `seg_logits` predictions and `gt_sem_seg`')
            prob = polyp_probability(sample['seg_logits']['data'].float(), self.polyp_index)
            gt = sample['gt_sem_seg']['data'][0].to(prob.device)
            valid = (gt != self.ignore_index).float()
            y = (gt == self.polyp_index).float()
            prob = prob * valid
            dice = (2 * (y * prob).sum() + self.eps) / (y.sum() + prob.sum() + self.eps)
            self.results.append(float(1 - dice))

    def compute_metrics(self, results: List[float]) -> Dict[str, float]:
        return dict(dice_loss=float(torch.tensor(results, dtype=torch.float64).mean()))
