"""Structure loss of PraNet / Yu et al.: weighted IoU + weighted BCE (Eq. 1).

Wei, Wang, Huang, "F³Net: Fusion, Feedback and Focus for Salient Object
Detection", AAAI 2020 (the pixel weights); Fan et al., PraNet, MICCAI 2020,
Eq. 4; Yu, Yan, Li, EndoCV2021, Eq. 1: ``l = l_IoU^w + l_BCE^w``.
"""
from typing import Optional

import torch
import torch.nn.functional as F
from mmseg.registry import MODELS
from torch import Tensor, nn

from endommlab.errors import ConfigError


def box_mean(mask: Tensor, kernel_size: int) -> Tensor:
    """``F.avg_pool2d(mask, kernel_size, stride=1, padding=kernel_size // 2)`` (zero padding
    counted), computed as a row mean then a column mean: 2k instead of k² additions a pixel
    (the 31x31 pool of each side map was a sixth of a reverse-attention training step)."""
    pad = kernel_size // 2
    rows = F.avg_pool2d(mask, (1, kernel_size), stride=1, padding=(0, pad))
    return F.avg_pool2d(rows, (kernel_size, 1), stride=1, padding=(pad, 0))


def structure_loss(pred: Tensor, target: Tensor, kernel_size: int = 31, edge_weight: float = 5.0,
                   pranet_bce: bool = False, valid: Optional[Tensor] = None) -> Tensor:
    """Per-image structure loss, averaged over the batch.

    Args:
        pred: logits, ``(N, 1, H, W)`` or ``(N, H, W)``.
        target: binary ground truth (0/1), same size.
        kernel_size: side of the average pool that finds boundary regions.
        edge_weight: ``w = 1 + edge_weight * |avgpool(m) - m|``.
        pranet_bce: reproduce PraNet's released code, whose
            ``binary_cross_entropy_with_logits(..., reduce='none')`` takes the
            legacy ``reduce`` flag as true and returns the batch *mean* before
            the weighting, so its "weighted" BCE is plain BCE. Default: the
            weighted BCE of the paper, ``Σ(w·bce) / Σw`` per image.
        valid: optional boolean mask of the pixels that count (ignore index).

    With ``p = sigmoid(pred)`` and ``m`` the mask, per image
    ``l_IoU^w = 1 - (Σ p·m·w + 1) / (Σ (p + m)·w - Σ p·m·w + 1)``.
    """
    if pred.dim() == 3:
        pred = pred.unsqueeze(1)
    mask = target.reshape(pred.shape).to(pred.dtype)
    valid = torch.ones_like(mask) if valid is None else valid.reshape(pred.shape).to(pred.dtype)
    mask = mask * valid
    weight = 1 + edge_weight * torch.abs(box_mean(mask, kernel_size) - mask)
    weight = weight * valid
    bce = F.binary_cross_entropy_with_logits(pred, mask, reduction='none')
    if pranet_bce:
        wbce = (bce * valid).sum() / valid.sum().clamp(min=1)
    else:
        wbce = (weight * bce).sum(dim=(2, 3)) / weight.sum(dim=(2, 3)).clamp(min=1e-12)
    prob = torch.sigmoid(pred)
    inter = (prob * mask * weight).sum(dim=(2, 3))
    union = ((prob + mask) * weight).sum(dim=(2, 3))
    wiou = 1 - (inter + 1) / (union - inter + 1)
    return (wbce + wiou).mean()


@MODELS.register_module()
class StructureLoss(nn.Module):
    """Weighted IoU + weighted BCE on 1-channel logits (Yu et al. Eq. 1), an mmseg loss.

    ``pranet_bce=True`` gives PraNet's released behaviour (plain BCE, see
    :func:`structure_loss`). Pixels equal to ``ignore_index`` do not count.
    """

    def __init__(self, kernel_size: int = 31, edge_weight: float = 5.0, pranet_bce: bool = False,
                 loss_weight: float = 1.0, loss_name: str = 'loss_structure') -> None:
        super().__init__()
        if kernel_size < 1 or kernel_size % 2 == 0:
            raise ConfigError('StructureLoss kernel_size must be odd and positive, '
                              f'got {kernel_size}')
        self.kernel_size = kernel_size
        self.edge_weight = edge_weight
        self.pranet_bce = pranet_bce
        self.loss_weight = loss_weight
        self._loss_name = loss_name

    def forward(self, pred: Tensor, target: Tensor, weight: Optional[Tensor] = None,
                ignore_index: int = 255, **kwargs) -> Tensor:
        valid = target != ignore_index
        target = torch.where(valid, target, torch.zeros_like(target))
        if weight is not None:
            valid = valid & (weight.reshape(valid.shape) > 0)
        return self.loss_weight * structure_loss(pred, target, self.kernel_size, self.edge_weight,
                                                 self.pranet_bce, valid)

    @property
    def loss_name(self) -> str:
        """Key prefix of this loss in the losses dict (mmseg convention)."""
        return self._loss_name
