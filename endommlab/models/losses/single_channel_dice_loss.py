"""Single-channel Dice loss of DivergentNets (Thambawita et al., EndoCV 2021, Eq. 1)."""
from typing import Optional

import torch.nn as nn
from mmseg.registry import MODELS
from torch import Tensor

from endommlab.errors import ConfigError


@MODELS.register_module()
class SingleChannelDiceLoss(nn.Module):
    """Dice loss computed on one class channel only; the other classes are ignored.

    With ``p`` the probability of class ``channel`` (softmax over the class
    channels, or a sigmoid for a one-channel output) and ``t`` the binary mask
    ``label == channel``, Eq. 1 of the paper reads::

        tp = sum(p * t),  fp = sum(p * (1 - t)),  fn = sum((1 - p) * t)
        loss = 1 - (2 * tp + eps) / (2 * tp + fp + fn + eps)

    The reference implementation (``smp.utils.losses.DiceLoss(ignore_channels=[0])``)
    sums over the whole batch with ``eps = 1``; ``per_image=True`` computes the
    loss of every image and averages instead. Pixels labelled ``ignore_index``
    count neither as polyp nor as background.

    Args:
        channel: class scored by the loss (1: polyp in Kvasir-SEG's 0/1 masks).
        eps: smoothing term added to numerator and denominator.
        per_image: average per-image losses instead of one loss over the batch.
        use_sigmoid: probabilities by sigmoid (a one-channel logit map stands
            for class ``channel``) instead of a softmax over the channels.
        loss_weight: multiplier of the loss.
        loss_name: key of the loss in the loss dict (must start with ``loss_``).
    """

    def __init__(self, channel: int = 1, eps: float = 1.0, per_image: bool = False,
                 use_sigmoid: bool = False, loss_weight: float = 1.0,
                 loss_name: str = 'loss_dice') -> None:
        super().__init__()
        if channel < 0:
            raise ConfigError(f'SingleChannelDiceLoss: channel must be >= 0, got {channel}')
        if eps < 0:
            raise ConfigError(f'SingleChannelDiceLoss: eps must be >= 0, got {eps}')
        self.channel = channel
        self.eps = eps
        self.per_image = per_image
        self.use_sigmoid = use_sigmoid
        self.loss_weight = loss_weight
        self._loss_name = loss_name

    def channel_probability(self, seg_logits: Tensor) -> Tensor:
        """``N x H x W`` probability of class ``channel`` from ``N x C x H x W`` logits."""
        num_channels = seg_logits.shape[1]
        if self.use_sigmoid:
            index = 0 if num_channels == 1 else self.channel
            return seg_logits[:, index].sigmoid()
        if self.channel >= num_channels:
            raise ConfigError(f'SingleChannelDiceLoss: channel {self.channel} does not exist in '
                              f'a {num_channels}-channel output')
        return seg_logits.softmax(dim=1)[:, self.channel]

    def forward(self, seg_logits: Tensor, seg_label: Tensor, weight: Optional[Tensor] = None,
                ignore_index: int = 255, **kwargs) -> Tensor:
        """Loss of ``N x C x H x W`` logits against ``N x H x W`` class labels."""
        prob = self.channel_probability(seg_logits)
        valid = (seg_label != ignore_index).to(prob.dtype)
        if weight is not None:
            valid = valid * weight.to(prob.dtype)
        target = (seg_label == self.channel).to(prob.dtype) * valid
        prob = prob * valid
        dims = (1, 2) if self.per_image else (0, 1, 2)
        tp = (prob * target).sum(dims)
        fp = (prob * (valid - target)).sum(dims)
        fn = ((valid - prob) * target).sum(dims)
        dice = (2 * tp + self.eps) / (2 * tp + fp + fn + self.eps)
        return self.loss_weight * (1 - dice).mean()

    @property
    def loss_name(self) -> str:
        """Key of this loss in the loss dict."""
        return self._loss_name
