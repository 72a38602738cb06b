"""UNet++ nested decoder (Zhou et al., DLMIA 2018) as SMP builds it."""
from typing import Dict, List, Sequence

import torch
import torch.nn as nn
from mmseg.registry import MODELS
from torch import Tensor

from endommlab.errors import ConfigError
from .input_resolution_head import InputResolutionHead
from .unet_head import UNetDecoderBlock


@MODELS.register_module()
class UNetPlusPlusHead(InputResolutionHead):
    """Nested, densely connected skip pathways between encoder and decoder: SMP's ``UnetPlusPlus``.

    With the encoder features reversed (``f[0]`` the coarsest) and ``D =
    len(in_channels) - 1``, node ``X[d, j]`` (``0 <= d <= j < D``) is a
    :class:`UNetDecoderBlock` that up-samples ``X[d, j-1]`` (``f[j]`` when
    ``d == j``) and concatenates ``X[d+1..j, j]`` and ``f[j+1]`` (Zhou et al.,
    Eq. 1). ``X[0, D]`` up-samples ``X[0, D-1]`` to the input resolution.
    Nodes with ``d == 0`` have ``decoder_channels`` outputs, the others as
    many channels as the skip feature of their column, as in SMP.
    """

    def __init__(self, in_channels: Sequence[int] = (64, 256, 512, 1024, 2048),
                 decoder_channels: Sequence[int] = (256, 128, 64, 32, 16),
                 in_index: Sequence[int] = (0, 1, 2, 3, 4), seg_kernel_size: int = 3,
                 dropout_ratio: float = 0.0, norm_cfg: dict = dict(type='BN'), **kwargs) -> None:
        super().__init__(in_channels=list(in_channels), channels=decoder_channels[-1],
                         in_index=list(in_index), input_transform='multiple_select',
                         seg_kernel_size=seg_kernel_size, dropout_ratio=dropout_ratio,
                         norm_cfg=norm_cfg, **kwargs)
        if len(decoder_channels) != len(in_channels):
            raise ConfigError(f'UNetPlusPlusHead: needs one decoder channel number per encoder '
                              f'feature ({len(in_channels)}), got {len(decoder_channels)}')
        self.depth = len(in_channels) - 1
        skip = list(in_channels[-2::-1]) + [0]
        block_in = [in_channels[-1]] + list(decoder_channels[:-1])
        cfg = dict(conv_cfg=self.conv_cfg, norm_cfg=self.norm_cfg, act_cfg=self.act_cfg)
        blocks: Dict[str, nn.Module] = {}
        for j in range(self.depth):
            for d in range(j + 1):
                if d == 0:
                    in_ch, out_ch = block_in[j], decoder_channels[j]
                else:
                    in_ch, out_ch = skip[j - 1], skip[j]
                blocks[f'x_{d}_{j}'] = UNetDecoderBlock(in_ch, skip[j] * (j + 1 - d), out_ch, **cfg)
        blocks[f'x_0_{self.depth}'] = UNetDecoderBlock(block_in[-1], 0, decoder_channels[-1], **cfg)
        self.blocks = nn.ModuleDict(blocks)

    def forward(self, inputs: List[Tensor]) -> Tensor:
        feats = self._transform_inputs(inputs)[::-1]
        nodes: Dict[str, Tensor] = {}
        for j in range(self.depth):
            for d in range(j, -1, -1):
                below = feats[j] if d == j else nodes[f'x_{d}_{j - 1}']
                skips = [nodes[f'x_{i}_{j}'] for i in range(d + 1, j + 1)] + [feats[j + 1]]
                nodes[f'x_{d}_{j}'] = self.blocks[f'x_{d}_{j}'](below, torch.cat(skips, dim=1))
        out = self.blocks[f'x_0_{self.depth}'](nodes[f'x_0_{self.depth - 1}'])
        return self.cls_seg(out)
