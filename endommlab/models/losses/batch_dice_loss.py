"""Soft Dice loss summed over the whole batch, as NanoNet trains with it."""
from typing import Optional

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmseg.registry import MODELS
from torch import Tensor

from endommlab.errors import ConfigError


@MODELS.register_module()
class BatchDiceLoss(nn.Module):
    """``1 - (2 * sum(y * p) + eps) / (sum(y) + sum(p) + eps)`` over every pixel of the batch.

    The loss of Jha et al.'s NanoNet (CBMS 2021) and their released
    ``metrics.py`` (``smooth = 1e-15``): Keras flattens the whole batch, so the
    sums run over all images together, not per image (mmseg's ``DiceLoss``
    averages per-image losses, and with one output channel it scores the
    background). ``p`` is the sigmoid of a one-channel output with ``y = (label
    == 1)``, or the softmax of a multi-channel output with one-hot ``y``; pixels
    labelled ``ignore_index`` are left out of every sum.
    """

    def __init__(self, eps: float = 1e-15, loss_weight: float = 1.0,
                 loss_name: str = 'loss_dice') -> None:
        super().__init__()
        self.eps = eps
        self.loss_weight = loss_weight
        self._loss_name = loss_name

    def forward(self, pred: Tensor, target: Tensor, weight: Optional[Tensor] = None,
                ignore_index: int = 255, **kwargs) -> Tensor:
        """``pred``: ``(N, C, H, W)`` logits; ``target``: ``(N, H, W)`` labels."""
        if weight is not None:
            raise ConfigError('BatchDiceLoss takes no pixel weights: remove the decode head '
                              'sampler')
        valid = (target != ignore_index).unsqueeze(1).to(pred.dtype)
        if pred.shape[1] == 1:
            prob = pred.sigmoid()
            onehot = (target == 1).unsqueeze(1).to(pred.dtype)
        else:
            prob = pred.softmax(dim=1)
            labels = torch.where(target == ignore_index, torch.zeros_like(target), target)
            onehot = F.one_hot(labels, pred.shape[1]).permute(0, 3, 1, 2).to(pred.dtype)
        prob, onehot = prob * valid, onehot * valid
        dice = (2 * (prob * onehot).sum() + self.eps) / (onehot.sum() + prob.sum() + self.eps)
        return self.loss_weight * (1 - dice)

    @property
    def loss_name(self) -> str:
        return self._loss_name
