"""NanoNet's decoder: a residual bridge and three upsample-concatenate-residual steps."""
from typing import List, Sequence, Tuple

import torch.nn as nn
from mmseg.models.decode_heads.decode_head import BaseDecodeHead
from mmseg.models.utils import resize
from mmseg.registry import MODELS
from mmseg.utils import SampleList
from torch import Tensor

from endommlab.errors import ConfigError
from .nanonet_residual_block import NanoNetResidualBlock, conv_bn_act

#: Keras' default initialisers: ``glorot_uniform`` convolutions with zero bias,
#: ``he_normal`` squeeze-and-excitation ``Dense`` layers.
KERAS_INIT = [
    dict(type='Xavier', layer='Conv2d', distribution='uniform', bias=0.),
    dict(type='Kaiming', layer='Linear', mode='fan_in', nonlinearity='relu',
         distribution='normal'),
]


@MODELS.register_module()
class NanoNetHead(BaseDecodeHead):
    """Decoder of Jha et al., "NanoNet: Real-Time Polyp Segmentation in Endoscopy" (CBMS 2021).

    The deepest input (``block_6_expand_relu``) goes through a bridge
    :class:`NanoNetResidualBlock` with ``bridge_channels`` filters; then, for each
    shallower input ``s_k`` (deepest first) and ``f_k`` in ``decoder_channels``:
    ``x = Res_{f_k}([up2(x), ReLU(BN(conv1x1_{f_k}(s_k)))])`` with bilinear ``up2``
    (Keras ``UpSampling2D(2, 'bilinear')``; here resized to the skip's size, which
    is the same for inputs divisible by 8 and also serves other sizes). The
    output is ``conv_seg`` (1x1 conv to ``out_channels``): one channel read
    through a sigmoid and ``threshold`` for polyp masks, or ``num_classes``
    channels (softmax) for multi-class data.

    Args:
        bridge_channels: Filters of the bridge block (192 / 128 / 48 for A / B / C).
        decoder_channels: ``f_k`` from deep to shallow ((128, 64, 32) / (96, 64, 32)
            / (32, 24, 16)); one more input than steps is expected.
        shortcut: ``'conv'`` (paper) or ``'bn'`` (released code), see
            :class:`NanoNetResidualBlock`.
        se_ratio: Squeeze-and-excitation reduction (16).
    """

    def __init__(self, bridge_channels: int, decoder_channels: Sequence[int],
                 shortcut: str = 'conv', se_ratio: int = 16,
                 in_channels: Sequence[int] = (3, 48, 96, 96),
                 in_index: Sequence[int] = (0, 1, 2, 3),
                 dropout_ratio: float = 0.,
                 norm_cfg: dict = dict(type='BN', eps=1e-3, momentum=0.01),
                 act_cfg: dict = dict(type='ReLU'),
                 init_cfg: List[dict] = KERAS_INIT, **kwargs) -> None:
        if len(in_channels) != len(decoder_channels) + 1:
            raise ConfigError(f'NanoNetHead needs one input more than decoder steps: '
                              f'{len(in_channels)} inputs, {len(decoder_channels)} steps')
        super().__init__(tuple(in_channels), decoder_channels[-1], in_index=tuple(in_index),
                         input_transform='multiple_select', dropout_ratio=dropout_ratio,
                         norm_cfg=norm_cfg, act_cfg=act_cfg, init_cfg=init_cfg, **kwargs)
        block_cfg = dict(shortcut=shortcut, se_ratio=se_ratio, norm_cfg=norm_cfg, act_cfg=act_cfg)
        self.bridge = NanoNetResidualBlock(in_channels[-1], bridge_channels, **block_cfg)
        self.skip_convs = nn.ModuleList()
        self.blocks = nn.ModuleList()
        channels = bridge_channels
        for skip_channels, out_channels in zip(in_channels[-2::-1], decoder_channels):
            self.skip_convs.append(conv_bn_act(skip_channels, out_channels, 1, norm_cfg,
                                               act_cfg))
            self.blocks.append(NanoNetResidualBlock(channels + out_channels, out_channels,
                                                    **block_cfg))
            channels = out_channels

    def forward(self, inputs: Tuple[Tensor, ...]) -> Tensor:
        feats = self._transform_inputs(inputs)
        x = self.bridge(feats[-1])
        for skip_conv, block, skip in zip(self.skip_convs, self.blocks, feats[-2::-1]):
            x = block(x, skip_conv(skip))  # Res([up(x), skip]), see NanoNetResidualBlock
        return self.cls_seg(x)

    def loss_by_feat(self, seg_logits: Tensor, batch_data_samples: SampleList) -> dict:
        """mmseg's losses; ``acc_seg`` of a one-channel output thresholds its sigmoid."""
        losses = super().loss_by_feat(seg_logits, batch_data_samples)
        if self.out_channels == 1:
            label = self._stack_batch_gt(batch_data_samples).squeeze(1)
            logits = resize(seg_logits, size=label.shape[1:], mode='bilinear',
                            align_corners=self.align_corners)[:, 0]
            valid = label != self.ignore_index
            correct = ((logits.sigmoid() > self.threshold).long() == label) & valid
            losses['acc_seg'] = correct.sum() * 100. / valid.sum().clamp(min=1)
        return losses
