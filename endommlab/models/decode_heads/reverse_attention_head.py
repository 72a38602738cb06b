"""Reverse-attention decode head of PraNet, as used by Yu et al. (EndoCV2021).

Fan et al., "PraNet: Parallel Reverse Attention Network for Polyp
Segmentation", MICCAI 2020 (§2.1 parallel partial decoder, §2.2 reverse
attention, Eq. 2-3); Yu, Yan, Li, "Parallel Res2Net-based Network with Reverse
Attention for Polyp Segmentation", EndoCV2021 (the ablation of its Table 2).
"""
from typing import Dict, List, Optional, Sequence, Tuple

import torch
import torch.nn.functional as F
from mmcv.cnn import ConvModule
from mmengine.model import BaseModule, ModuleList, Sequential
from mmseg.models.decode_heads.decode_head import BaseDecodeHead
from mmseg.models.utils import resize
from mmseg.registry import MODELS
from mmseg.utils import ConfigType, OptMultiConfig, SampleList
from torch import Tensor, nn

from endommlab.errors import ConfigError


def reverse_attention(feature: Tensor, upper_map: Tensor) -> Tensor:
    """PraNet Eq. 2-3: weight ``feature`` by ``1 - sigmoid(upper_map)``.

    ``upper_map`` (N, 1, h, w) is the prediction of the deeper level, already at
    the size of ``feature`` (N, C, h, w); the same weight multiplies every
    channel, so the branch looks at what the deeper map did *not* call polyp.
    """
    return (1 - torch.sigmoid(upper_map)) * feature


def _conv_bn(in_channels: int, out_channels: int, kernel_size, norm_cfg: ConfigType,
             padding=0, dilation: int = 1, act_cfg: Optional[ConfigType] = None) -> ConvModule:
    """PraNet's ``BasicConv2d``: convolution without bias + BN (its ReLU is never applied)."""
    return ConvModule(in_channels, out_channels, kernel_size, padding=padding, dilation=dilation,
                      norm_cfg=norm_cfg, act_cfg=act_cfg)


class ReceptiveFieldBlock(BaseModule):
    """PraNet's RFB (``RFB_modified``): reduces a backbone level to ``out_channels``.

    Branch 0 is a 1×1 convolution; branches 1-3 are 1×1, 1×k, k×1 and a 3×3
    convolution dilated by k, for k = 3, 5, 7. The four are concatenated, fused
    by a 3×3 convolution and added to a 1×1 residual projection, then ReLU.
    """

    def __init__(self, in_channels: int, out_channels: int, norm_cfg: ConfigType,
                 kernel_sizes: Sequence[int] = (3, 5, 7)) -> None:
        super().__init__()
        self.branches = ModuleList([_conv_bn(in_channels, out_channels, 1, norm_cfg)])
        for k in kernel_sizes:
            self.branches.append(Sequential(
                _conv_bn(in_channels, out_channels, 1, norm_cfg),
                _conv_bn(out_channels, out_channels, (1, k), norm_cfg, padding=(0, k // 2)),
                _conv_bn(out_channels, out_channels, (k, 1), norm_cfg, padding=(k // 2, 0)),
                _conv_bn(out_channels, out_channels, 3, norm_cfg, padding=k, dilation=k)))
        self.fuse = _conv_bn((len(kernel_sizes) + 1) * out_channels, out_channels, 3, norm_cfg,
                             padding=1)
        self.residual = _conv_bn(in_channels, out_channels, 1, norm_cfg)
        self.relu = nn.ReLU(inplace=True)

    def forward(self, x: Tensor) -> Tensor:
        fused = self.fuse(torch.cat([branch(x) for branch in self.branches], dim=1))
        return self.relu(fused + self.residual(x))


class PartialDecoder(BaseModule):
    """PraNet's parallel partial decoder (``aggregation``): three levels → global map M_g.

    Inputs are the RFB outputs of f5, f4, f3 (``channels`` each, at 1/32, 1/16,
    1/8); each deeper level is upsampled step by step (×2 bilinear, corners
    aligned), multiplied into the shallower ones and concatenated; the output is
    a 1-channel logit map at the resolution of f3.
    """

    def __init__(self, channels: int, norm_cfg: ConfigType) -> None:
        super().__init__()
        c = channels
        self.up5_to4 = _conv_bn(c, c, 3, norm_cfg, padding=1)
        self.up5_to3 = _conv_bn(c, c, 3, norm_cfg, padding=1)
        self.up4_to3 = _conv_bn(c, c, 3, norm_cfg, padding=1)
        self.up5_cat4 = _conv_bn(c, c, 3, norm_cfg, padding=1)
        self.up4_cat3 = _conv_bn(2 * c, 2 * c, 3, norm_cfg, padding=1)
        self.fuse4 = _conv_bn(2 * c, 2 * c, 3, norm_cfg, padding=1)
        self.fuse3 = _conv_bn(3 * c, 3 * c, 3, norm_cfg, padding=1)
        self.out_conv = _conv_bn(3 * c, 3 * c, 3, norm_cfg, padding=1)
        self.out_map = nn.Conv2d(3 * c, 1, 1)

    @staticmethod
    def _up(x: Tensor, like: Tensor) -> Tensor:
        return F.interpolate(x, size=like.shape[2:], mode='bilinear', align_corners=True)

    def forward(self, x5: Tensor, x4: Tensor, x3: Tensor) -> Tensor:
        x5_at4 = self._up(x5, x4)
        x4_1 = self.up5_to4(x5_at4) * x4
        x3_1 = self.up5_to3(self._up(x5_at4, x3)) * self.up4_to3(self._up(x4, x3)) * x3
        x4_2 = self.fuse4(torch.cat([x4_1, self.up5_cat4(x5_at4)], dim=1))
        x3_2 = self.fuse3(torch.cat([x3_1, self.up4_cat3(self._up(x4_2, x3))], dim=1))
        return self.out_map(self.out_conv(x3_2))


class ReverseAttentionBranch(BaseModule):
    """One RA branch: ``1 - sigmoid`` of the deeper map times the feature, convolutions,
    a 1-channel residual added to the (upsampled) deeper map.

    Layout (PraNet): 1×1 to ``channels`` (conv + BN), ``num_convs`` k×k
    convolutions (conv + BN + ReLU), then a conv + BN to one channel
    (``out_kernel_size``).
    """

    def __init__(self, in_channels: int, channels: int, kernel_size: int, num_convs: int,
                 out_kernel_size: int, norm_cfg: ConfigType) -> None:
        super().__init__()
        self.reduce = _conv_bn(in_channels, channels, 1, norm_cfg)
        self.convs = Sequential(*[
            _conv_bn(channels, channels, kernel_size, norm_cfg, padding=kernel_size // 2,
                     act_cfg=dict(type='ReLU')) for _ in range(num_convs)])
        self.out_map = _conv_bn(channels, 1, out_kernel_size, norm_cfg,
                                padding=out_kernel_size // 2)

    def forward(self, feature: Tensor, upper_map: Tensor) -> Tensor:
        upper_map = F.interpolate(upper_map, size=feature.shape[2:], mode='bilinear',
                                  align_corners=False)
        x = reverse_attention(feature, upper_map)
        return self.out_map(self.convs(self.reduce(x))) + upper_map


#: PraNet's branch layouts, shallow to deep (f3, f4, f5).
PRANET_RA_BRANCHES = (
    dict(channels=64, kernel_size=3, num_convs=2, out_kernel_size=3),
    dict(channels=64, kernel_size=3, num_convs=2, out_kernel_size=3),
    dict(channels=256, kernel_size=5, num_convs=3, out_kernel_size=1),
)


@MODELS.register_module()
class ReverseAttentionHead(BaseDecodeHead):
    """PraNet's decoder: RFBs + partial decoder (global map) + reverse-attention cascade.

    Takes f3, f4, f5 (``in_index``; 512, 1024, 2048 channels at 1/8, 1/16,
    1/32 for Res2Net-50). :meth:`forward` returns the side maps deep to shallow,
    ``[M_g, M_5, M_4, M_3]``, each a 1-channel logit map; every one is
    upsampled to the ground-truth size and supervised (deep supervision),
    inference uses the last, shallowest one.

    Ablation switches (Yu et al., Table 2):

    - ``use_partial_decoder=False`` ("BR"): no RFB and no partial decoder; the
      initial map M_g is a 1×1 convolution of f5 (at 1/32) and the RA cascade
      refines it.
    - ``use_reverse_attention=False`` ("BP"): the global map M_g of the partial
      decoder is the output (and the only supervised map).
    - both (default, "BRP").

    Binary output: ``num_classes=2``, ``out_channels=1``; mmseg applies a
    sigmoid and ``threshold`` at inference.
    """

    def __init__(self,
                 in_channels: Sequence[int] = (512, 1024, 2048),
                 channels: int = 32,
                 in_index: Sequence[int] = (1, 2, 3),
                 ra_branches: Sequence[dict] = PRANET_RA_BRANCHES,
                 use_partial_decoder: bool = True,
                 use_reverse_attention: bool = True,
                 num_classes: int = 2,
                 out_channels: int = 1,
                 threshold: float = 0.5,
                 norm_cfg: ConfigType = dict(type='BN', requires_grad=True),
                 loss_decode: ConfigType = dict(type='StructureLoss'),
                 init_cfg: OptMultiConfig = None,
                 **kwargs) -> None:
        if len(in_channels) != 3 or len(in_index) != 3:
            raise ConfigError('ReverseAttentionHead takes three levels (f3, f4, f5): got '
                              f'in_channels={in_channels}, in_index={in_index}')
        if out_channels != 1:
            raise ConfigError(f'ReverseAttentionHead predicts one logit map: out_channels must '
                              f'be 1, got {out_channels}')
        if use_reverse_attention and len(ra_branches) != 3:
            raise ConfigError(f'ra_branches needs one layout per level (3), got {len(ra_branches)}')
        super().__init__(list(in_channels), channels, in_index=list(in_index),
                         input_transform='multiple_select', num_classes=num_classes,
                         out_channels=out_channels, threshold=threshold, dropout_ratio=0,
                         norm_cfg=norm_cfg, loss_decode=loss_decode, init_cfg=init_cfg, **kwargs)
        del self.conv_seg  # every map has its own 1-channel output layer
        self.use_partial_decoder = use_partial_decoder
        self.use_reverse_attention = use_reverse_attention
        if use_partial_decoder:
            self.rfbs = ModuleList(
                [ReceptiveFieldBlock(c, channels, norm_cfg) for c in self.in_channels])
            self.partial_decoder = PartialDecoder(channels, norm_cfg)
        else:
            self.global_conv = nn.Conv2d(self.in_channels[-1], 1, 1)
        if use_reverse_attention:
            self.ra_branches = ModuleList([
                ReverseAttentionBranch(c, norm_cfg=norm_cfg, **layout)
                for c, layout in zip(self.in_channels, ra_branches)])

    @property
    def map_names(self) -> Tuple[str, ...]:
        """Names of the maps :meth:`forward` returns, deep to shallow."""
        return ('global', 'ra5', 'ra4', 'ra3') if self.use_reverse_attention else ('global', )

    def forward(self, inputs: Tuple[Tensor]) -> List[Tensor]:
        f3, f4, f5 = self._transform_inputs(inputs)
        if self.use_partial_decoder:
            r3, r4, r5 = (rfb(f) for rfb, f in zip(self.rfbs, (f3, f4, f5)))
            maps = [self.partial_decoder(r5, r4, r3)]
        else:
            maps = [self.global_conv(f5)]
        if self.use_reverse_attention:
            for feature, branch in zip((f5, f4, f3), reversed(self.ra_branches)):
                maps.append(branch(feature, maps[-1]))
        return maps

    def loss_by_feat(self, seg_logits: List[Tensor],
                     batch_data_samples: SampleList) -> Dict[str, Tensor]:
        """Every map upsampled to the ground truth and supervised by every ``loss_decode``."""
        seg_label = self._stack_batch_gt(batch_data_samples).squeeze(1)
        losses_decode = self.loss_decode if isinstance(self.loss_decode, nn.ModuleList) \
            else [self.loss_decode]
        losses = dict()
        for name, logits in zip(self.map_names, seg_logits):
            logits = resize(logits, size=seg_label.shape[1:], mode='bilinear',
                            align_corners=self.align_corners)
            for loss_decode in losses_decode:
                losses[f'{loss_decode.loss_name}_{name}'] = loss_decode(
                    logits, seg_label, ignore_index=self.ignore_index)
        valid = seg_label != self.ignore_index
        correct = (logits.squeeze(1).sigmoid() > self.threshold) == (seg_label == 1)
        losses['acc_seg'] = correct[valid].float().mean() * 100
        return losses

    def predict_by_feat(self, seg_logits: List[Tensor], batch_img_metas: List[dict]) -> Tensor:
        """The shallowest map, resized to the input as mmseg expects."""
        return super().predict_by_feat(seg_logits[-1], batch_img_metas)
