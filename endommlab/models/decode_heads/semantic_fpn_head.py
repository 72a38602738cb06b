"""Semantic FPN decoder (Kirillov et al., Panoptic FPN, CVPR 2019) as SMP's ``FPN`` builds it."""
from typing import List, Sequence

import torch.nn as nn
import torch.nn.functional as F
from mmcv.cnn import ConvModule
from mmseg.registry import MODELS
from torch import Tensor

from .input_resolution_head import InputResolutionHead


class _UpConv(nn.Module):
    """3x3 conv-GN-ReLU, then (optionally) bilinear x2 up-sampling (``align_corners=True``)."""

    def __init__(self, in_channels: int, out_channels: int, upsample: bool, norm_cfg: dict,
                 act_cfg: dict) -> None:
        super().__init__()
        self.conv = ConvModule(in_channels, out_channels, 3, padding=1, norm_cfg=norm_cfg,
                               act_cfg=act_cfg)
        self.upsample = upsample

    def forward(self, x: Tensor) -> Tensor:
        x = self.conv(x)
        if self.upsample:
            x = F.interpolate(x, scale_factor=2.0, mode='bilinear', align_corners=True)
        return x


@MODELS.register_module()
class SemanticFPNHead(InputResolutionHead):
    """Top-down pyramid over C2..C5, each level brought to stride 4 and summed.

    ``P5 = conv1x1(C5)``, ``P_i = up2(P_{i+1}) + conv1x1(C_i)`` (nearest
    up-sampling, ``pyramid_channels``); each ``P_i`` goes through ``i - 2``
    blocks of 3x3 conv-GN(32)-ReLU + bilinear x2 (one block without
    up-sampling for ``P2``) to ``channels`` (SMP's ``segmentation_channels``,
    128); the four maps are summed, spatial dropout (0.2), 1x1 class
    convolution and x4 bilinear up-sampling to the input resolution.
    """

    def __init__(self, in_channels: Sequence[int] = (256, 512, 1024, 2048),
                 in_index: Sequence[int] = (1, 2, 3, 4), pyramid_channels: int = 256,
                 channels: int = 128, dropout_ratio: float = 0.2, upsample_factor: int = 4,
                 norm_cfg: dict = dict(type='GN', num_groups=32), **kwargs) -> None:
        super().__init__(in_channels=list(in_channels), channels=channels,
                         in_index=list(in_index), input_transform='multiple_select',
                         dropout_ratio=dropout_ratio, upsample_factor=upsample_factor,
                         norm_cfg=norm_cfg, **kwargs)
        self.lateral_convs = nn.ModuleList(
            nn.Conv2d(c, pyramid_channels, kernel_size=1) for c in in_channels)
        num_levels = len(in_channels)
        self.seg_blocks = nn.ModuleList()
        for level in range(num_levels):
            ups = level
            blocks = [_UpConv(pyramid_channels, channels, ups > 0, self.norm_cfg, self.act_cfg)]
            blocks += [_UpConv(channels, channels, True, self.norm_cfg, self.act_cfg)
                       for _ in range(ups - 1)]
            self.seg_blocks.append(nn.Sequential(*blocks))

    def forward(self, inputs: List[Tensor]) -> Tensor:
        feats = self._transform_inputs(inputs)
        pyramid = [self.lateral_convs[-1](feats[-1])]
        for level in range(len(feats) - 2, -1, -1):
            top = F.interpolate(pyramid[0], scale_factor=2.0, mode='nearest')
            pyramid.insert(0, top + self.lateral_convs[level](feats[level]))
        out = sum(block(p) for block, p in zip(self.seg_blocks, pyramid))
        return self.cls_seg(out)
