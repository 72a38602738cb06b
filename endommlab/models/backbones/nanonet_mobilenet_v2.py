"""MobileNetV2 built exactly as Keras builds it, truncated where NanoNet taps it."""
import math
import re
from typing import List, Optional, Sequence, Tuple

import torch.nn.functional as F
from mmcv.cnn import ConvModule
from mmengine.model import BaseModule, ModuleList
from mmseg.registry import MODELS
from torch import Tensor

from endommlab.errors import ConfigError

#: ``tf.keras.applications.MobileNetV2`` blocks 1-16: (filters, stride, expansion).
#: Block 0 (``expanded_conv``) has 16 filters, stride 1 and no expansion layer.
KERAS_BLOCKS = ((24, 2, 6), (24, 1, 6), (32, 2, 6), (32, 1, 6), (32, 1, 6), (64, 2, 6),
                (64, 1, 6), (64, 1, 6), (64, 1, 6), (96, 1, 6), (96, 1, 6), (96, 1, 6),
                (160, 2, 6), (160, 1, 6), (160, 1, 6), (320, 1, 6))


def keras_make_divisible(value: float, divisor: int = 8) -> int:
    """Keras' ``_make_divisible``: nearest multiple of ``divisor``, never 10% below ``value``."""
    new_value = max(divisor, int(value + divisor / 2) // divisor * divisor)
    if new_value < 0.9 * value:
        new_value += divisor
    return new_value


def tf_same_pad(x: Tensor, kernel_size: int, stride: int) -> Tensor:
    """Zero padding of TensorFlow's ``padding='same'`` (extra pixel at bottom/right)."""
    pads = []
    for size in (x.shape[-1], x.shape[-2]):
        total = max((math.ceil(size / stride) - 1) * stride + kernel_size - size, 0)
        pads += [total // 2, total - total // 2]
    return F.pad(x, pads)


class KerasInvertedResidual(BaseModule):
    """Keras' ``_inverted_res_block``: 1x1 expand, 3x3 depthwise, 1x1 linear projection.

    ``expand_only`` keeps the expansion layer alone (the network is cut at
    ``block_<i>_expand_relu``). Stride-2 depthwise convolutions pad as
    TensorFlow does (``ZeroPadding2D(correct_pad)`` + ``'valid'``), so ImageNet
    weights converted from Keras compute the same features. Without
    pre-trained weights its convolutions start from ``ConvModule``'s Kaiming init.
    """

    def __init__(self, in_channels: int, out_channels: int, stride: int, expansion: int,
                 norm_cfg: dict, act_cfg: dict, expand_only: bool = False) -> None:
        super().__init__()
        mid_channels = in_channels * expansion
        self.stride = stride
        self.expand = ConvModule(in_channels, mid_channels, 1, bias=False, norm_cfg=norm_cfg,
                                 act_cfg=act_cfg) if expansion != 1 else None
        self.expand_only = expand_only
        if expand_only:
            return
        self.depthwise = ConvModule(mid_channels, mid_channels, 3, stride=stride,
                                    padding=1 if stride == 1 else 0, groups=mid_channels,
                                    bias=False, norm_cfg=norm_cfg, act_cfg=act_cfg)
        self.project = ConvModule(mid_channels, out_channels, 1, bias=False, norm_cfg=norm_cfg,
                                  act_cfg=None)
        self.use_residual = stride == 1 and in_channels == out_channels

    def forward(self, x: Tensor) -> Tuple[Tensor, Optional[Tensor]]:
        """Return the block output and its ``expand_relu`` feature (``None`` in block 0)."""
        expanded = self.expand(x) if self.expand is not None else None
        if self.expand_only:
            return expanded, expanded
        out = expanded if expanded is not None else x
        if self.stride != 1:
            out = tf_same_pad(out, 3, self.stride)
        out = self.project(self.depthwise(out))
        if self.use_residual:
            out = out + x
        return out, expanded


@MODELS.register_module()
class NanoNetMobileNetV2(BaseModule):
    """NanoNet's encoder: Keras' MobileNetV2 (width ``alpha``) cut at a named layer.

    Jha et al., "NanoNet: Real-Time Polyp Segmentation in Endoscopy" (CBMS 2021)
    take ``tf.keras.applications.MobileNetV2(alpha)`` (Sandler et al., CVPR 2018)
    and read the layers ``block_6_expand_relu`` (stride 8), ``block_3_expand_relu``
    (stride 4), ``block_1_expand_relu`` (stride 2) and the input image. Channels
    follow Keras: ``first = make_divisible(32 * alpha)``, block outputs
    ``make_divisible(int(filters * alpha))``, expansions ``6 * in_channels``, so
    the features have (3, 48, 96, 96) channels for alpha 0.5 and (3, 48, 48, 96)
    for alpha 0.35. Module names mirror the Keras layers (``conv1`` = ``Conv1`` /
    ``bn_Conv1``, ``blocks[i].expand`` = ``block_<i>_expand`` / ``_expand_BN`` ...)
    for ``tools/model_converters/keras_mobilenet_v2.py``.

    Args:
        alpha: Keras width multiplier (0.35 and 0.5 in NanoNet).
        out_layers: Keras layer names to return, in order: ``'input_image'``,
            ``'Conv1_relu'`` or ``'block_<i>_expand_relu'`` (1 <= i <= 16). The
            network is built only up to the deepest one.
        norm_cfg: Keras MobileNetV2 uses BN with epsilon 1e-3, momentum 0.999
            (PyTorch momentum 1e-3).
    """

    def __init__(self, alpha: float = 0.5,
                 out_layers: Sequence[str] = ('input_image', 'block_1_expand_relu',
                                              'block_3_expand_relu', 'block_6_expand_relu'),
                 norm_cfg: dict = dict(type='BN', eps=1e-3, momentum=1e-3),
                 act_cfg: dict = dict(type='ReLU6'),
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        if alpha <= 0:
            raise ConfigError(f'alpha must be positive, got {alpha}')
        self.alpha = alpha
        self.out_layers = tuple(out_layers)
        depths = [self._layer_depth(name) for name in self.out_layers]
        first = keras_make_divisible(32 * alpha)
        self.conv1 = ConvModule(3, first, 3, stride=2, padding=0, bias=False, norm_cfg=norm_cfg,
                                act_cfg=act_cfg)
        self.blocks = ModuleList()
        channels = {0: 3, -1: first}  # channels of each returnable layer, by depth
        in_channels = first
        settings = [(16, 1, 1)] + list(KERAS_BLOCKS)
        deepest = max(depths)
        for block_id in range(deepest + 1 if deepest > 0 else 0):
            filters, stride, expansion = settings[block_id]
            out_channels = keras_make_divisible(int(filters * alpha))
            self.blocks.append(KerasInvertedResidual(in_channels, out_channels, stride, expansion,
                                                     norm_cfg, act_cfg, block_id == deepest))
            if block_id:
                channels[block_id] = in_channels * expansion
            in_channels = out_channels
        self.out_channels: List[int] = [channels[d] for d in depths]

    @staticmethod
    def _layer_depth(name: str) -> int:
        """0 for the input, -1 for ``Conv1_relu``, ``i`` for ``block_<i>_expand_relu``."""
        if name == 'input_image':
            return 0
        if name == 'Conv1_relu':
            return -1
        match = re.fullmatch(r'block_(\d+)_expand_relu', name)
        if match and 1 <= int(match.group(1)) <= len(KERAS_BLOCKS):
            return int(match.group(1))
        raise ConfigError(f'NanoNetMobileNetV2 cannot return layer {name!r}: use input_image, '
                          f'Conv1_relu or block_<i>_expand_relu with 1 <= i <= {len(KERAS_BLOCKS)}')

    def forward(self, x: Tensor) -> Tuple[Tensor, ...]:
        feats = {'input_image': x}
        x = self.conv1(tf_same_pad(x, 3, 2))
        feats['Conv1_relu'] = x
        for block_id, block in enumerate(self.blocks):
            x, expanded = block(x)
            if block_id:
                feats[f'block_{block_id}_expand_relu'] = expanded
        return tuple(feats[name] for name in self.out_layers)
