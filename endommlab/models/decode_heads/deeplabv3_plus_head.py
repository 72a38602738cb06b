"""DeepLabV3+ decoder (Chen et al., ECCV 2018) as SMP builds it: separable ASPP + low-level skip."""
from typing import List, Sequence

import torch
import torch.nn.functional as F
from mmcv.cnn import ConvModule
from mmseg.registry import MODELS
from torch import Tensor

from .deeplabv3_head import ASPP, separable_conv_module
from .input_resolution_head import InputResolutionHead


@MODELS.register_module()
class DeepLabV3PlusHead(InputResolutionHead):
    """Separable ASPP on the last feature, fused with a stride-4 feature (Chen et al., Fig. 2).

    ``in_channels``/``in_index`` name the low-level (stride 4, 256 channels)
    and the last (output stride 16) features. ASPP (separable 3x3 branches,
    rates 12/24/36, dropout 0.5) + separable 3x3 conv-BN-ReLU, bilinear
    up-sampling (``align_corners=True``) to the low-level size, concatenation
    with the low-level feature reduced to ``c1_channels`` (48) by a 1x1
    conv-BN-ReLU, separable 3x3 conv-BN-ReLU, 1x1 class convolution and x4
    up-sampling to the input resolution.
    """

    def __init__(self, in_channels: Sequence[int] = (256, 2048), in_index: Sequence[int] = (1, 4),
                 channels: int = 256, c1_channels: int = 48,
                 atrous_rates: Sequence[int] = (12, 24, 36), aspp_dropout: float = 0.5,
                 dropout_ratio: float = 0.0, upsample_factor: int = 4,
                 norm_cfg: dict = dict(type='BN'), **kwargs) -> None:
        super().__init__(in_channels=list(in_channels), channels=channels,
                         in_index=list(in_index), input_transform='multiple_select',
                         dropout_ratio=dropout_ratio, upsample_factor=upsample_factor,
                         norm_cfg=norm_cfg, **kwargs)
        cfg = dict(norm_cfg=self.norm_cfg, act_cfg=self.act_cfg)
        low_channels, high_channels = in_channels
        self.aspp = ASPP(high_channels, channels, atrous_rates, True, aspp_dropout, **cfg)
        self.aspp_bottleneck = separable_conv_module(channels, channels, **cfg)
        self.c1_bottleneck = ConvModule(low_channels, c1_channels, 1, **cfg)
        self.fuse = separable_conv_module(channels + c1_channels, channels, **cfg)

    def forward(self, inputs: List[Tensor]) -> Tensor:
        low, high = self._transform_inputs(inputs)
        x = self.aspp_bottleneck(self.aspp(high))
        x = F.interpolate(x, size=low.shape[2:], mode='bilinear', align_corners=True)
        x = self.fuse(torch.cat([x, self.c1_bottleneck(low)], dim=1))
        return self.cls_seg(x)
