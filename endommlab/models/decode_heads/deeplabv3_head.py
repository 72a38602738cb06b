"""DeepLabV3 decoder (Chen et al., 2017): ASPP over an output-stride-8 encoder, as SMP builds it."""
from typing import List, Sequence

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmcv.cnn import ConvModule
from mmseg.registry import MODELS
from torch import Tensor

from .input_resolution_head import InputResolutionHead


def separable_conv_module(in_channels: int, out_channels: int, dilation: int = 1,
                          norm_cfg: dict = None, act_cfg: dict = None) -> nn.Sequential:
    """SMP's separable 3x3 convolution: depthwise conv, then pointwise conv-BN-ReLU."""
    return nn.Sequential(
        nn.Conv2d(in_channels, in_channels, 3, padding=dilation, dilation=dilation,
                  groups=in_channels, bias=False),
        ConvModule(in_channels, out_channels, 1, norm_cfg=norm_cfg, act_cfg=act_cfg))


class ASPP(nn.Module):
    """Atrous spatial pyramid pooling (Chen et al., 2017, Sec. 3.3).

    A 1x1 branch, three 3x3 branches with ``atrous_rates`` (separable ones for
    DeepLabV3+), an image-pooling branch; concatenated, projected by a 1x1
    conv-BN-ReLU and ``nn.Dropout(dropout)``.
    """

    def __init__(self, in_channels: int, channels: int, atrous_rates: Sequence[int],
                 separable: bool, dropout: float, norm_cfg: dict, act_cfg: dict) -> None:
        super().__init__()
        cfg = dict(norm_cfg=norm_cfg, act_cfg=act_cfg)
        branches = [ConvModule(in_channels, channels, 1, **cfg)]
        for rate in atrous_rates:
            if separable:
                branches.append(separable_conv_module(in_channels, channels, rate, **cfg))
            else:
                branches.append(ConvModule(in_channels, channels, 3, padding=rate, dilation=rate,
                                           **cfg))
        self.branches = nn.ModuleList(branches)
        self.image_pool = nn.Sequential(nn.AdaptiveAvgPool2d(1),
                                        ConvModule(in_channels, channels, 1, **cfg))
        self.project = nn.Sequential(
            ConvModule(channels * (len(branches) + 1), channels, 1, **cfg), nn.Dropout(dropout))

    def forward(self, x: Tensor) -> Tensor:
        outs = [branch(x) for branch in self.branches]
        outs.append(F.interpolate(self.image_pool(x), size=x.shape[2:], mode='bilinear',
                                  align_corners=False))
        return self.project(torch.cat(outs, dim=1))


@MODELS.register_module()
class DeepLabV3Head(InputResolutionHead):
    """ASPP (rates 12/24/36, 256 channels, dropout 0.5) + 3x3 conv-BN-ReLU on the last feature.

    Meant for an encoder with output stride 8 (``SEResNeXtEncoder`` with
    ``strides=(1, 2, 1, 1), dilations=(1, 1, 2, 4)``, SMP's default for
    ``DeepLabV3``); 1x1 class convolution and x8 bilinear up-sampling.
    """

    def __init__(self, in_channels: int = 2048, in_index: int = -1, channels: int = 256,
                 atrous_rates: Sequence[int] = (12, 24, 36), aspp_dropout: float = 0.5,
                 dropout_ratio: float = 0.0, upsample_factor: int = 8,
                 norm_cfg: dict = dict(type='BN'), **kwargs) -> None:
        super().__init__(in_channels=in_channels, channels=channels, in_index=in_index,
                         dropout_ratio=dropout_ratio, upsample_factor=upsample_factor,
                         norm_cfg=norm_cfg, **kwargs)
        self.aspp = ASPP(in_channels, channels, atrous_rates, False, aspp_dropout,
                         self.norm_cfg, self.act_cfg)
        self.bottleneck = ConvModule(channels, channels, 3, padding=1, norm_cfg=self.norm_cfg,
                                     act_cfg=self.act_cfg)

    def forward(self, inputs: List[Tensor]) -> Tensor:
        x = self._transform_inputs(inputs)
        return self.cls_seg(self.bottleneck(self.aspp(x)))
