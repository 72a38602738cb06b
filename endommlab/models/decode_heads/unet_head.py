"""UNet decoder (Ronneberger et al., MICCAI 2015) as SMP builds it over a five-level encoder."""
from typing import List, Optional, Sequence

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmcv.cnn import ConvModule
from mmseg.registry import MODELS
from torch import Tensor

from endommlab.errors import ConfigError
from .input_resolution_head import InputResolutionHead


class UNetDecoderBlock(nn.Module):
    """Nearest x2 up-sampling, concatenation with the skip feature, two 3x3 conv-BN-ReLU.

    Without a skip feature (the last block of SMP's UNet) only up-sampling and
    the convolutions remain.
    """

    def __init__(self, in_channels: int, skip_channels: int, out_channels: int,
                 conv_cfg: Optional[dict] = None, norm_cfg: Optional[dict] = None,
                 act_cfg: Optional[dict] = None) -> None:
        super().__init__()
        cfg = dict(conv_cfg=conv_cfg, norm_cfg=norm_cfg, act_cfg=act_cfg)
        self.conv1 = ConvModule(in_channels + skip_channels, out_channels, 3, padding=1, **cfg)
        self.conv2 = ConvModule(out_channels, out_channels, 3, padding=1, **cfg)

    def forward(self, x: Tensor, skip: Optional[Tensor] = None) -> Tensor:
        if skip is None:
            x = F.interpolate(x, scale_factor=2.0, mode='nearest')
        else:
            x = torch.cat([F.interpolate(x, size=skip.shape[2:], mode='nearest'), skip], dim=1)
        return self.conv2(self.conv1(x))


@MODELS.register_module()
class UNetHead(InputResolutionHead):
    """UNet decoder with skip connections, SMP's ``Unet`` decoder (paper: the TriUNet nodes).

    ``in_channels`` lists the encoder features from the finest (the stride-2
    stem) to the coarsest; block ``i`` up-samples by 2 and concatenates the
    ``i``-th feature counted from the coarse end, and the last block (no skip
    left) reaches the input resolution. ``decoder_channels`` defaults to SMP's
    ``(256, 128, 64, 32, 16)``; the class map is a 3x3 convolution, as SMP's
    segmentation head.
    """

    def __init__(self, in_channels: Sequence[int] = (64, 256, 512, 1024, 2048),
                 decoder_channels: Sequence[int] = (256, 128, 64, 32, 16),
                 in_index: Sequence[int] = (0, 1, 2, 3, 4), seg_kernel_size: int = 3,
                 dropout_ratio: float = 0.0, norm_cfg: dict = dict(type='BN'), **kwargs) -> None:
        super().__init__(in_channels=list(in_channels), channels=decoder_channels[-1],
                         in_index=list(in_index), input_transform='multiple_select',
                         seg_kernel_size=seg_kernel_size, dropout_ratio=dropout_ratio,
                         norm_cfg=norm_cfg, **kwargs)
        if len(decoder_channels) < len(in_channels) - 1:
            raise ConfigError(f'UNetHead: {len(in_channels)} encoder features need at least '
                              f'{len(in_channels) - 1} decoder blocks, got {len(decoder_channels)}')
        skips = list(in_channels[-2::-1])
        skips += [0] * (len(decoder_channels) - len(skips))
        block_in = [in_channels[-1]] + list(decoder_channels[:-1])
        cfg = dict(conv_cfg=self.conv_cfg, norm_cfg=self.norm_cfg, act_cfg=self.act_cfg)
        self.blocks = nn.ModuleList(
            UNetDecoderBlock(i, s, o, **cfg) for i, s, o in zip(block_in, skips, decoder_channels))

    def forward(self, inputs: List[Tensor]) -> Tensor:
        feats = self._transform_inputs(inputs)[::-1]
        x = feats[0]
        for i, block in enumerate(self.blocks):
            x = block(x, feats[i + 1] if i + 1 < len(feats) else None)
        return self.cls_seg(x)
