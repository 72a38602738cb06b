"""SE-ResNeXt encoder returning the stem feature and the four stages (for UNet-like decoders)."""
import re
from collections import OrderedDict
from typing import Dict, Sequence, Tuple

import torch
import torch.nn as nn
from mmengine.logging import print_log
from mmengine.runner.checkpoint import CheckpointLoader, load_state_dict
from mmpretrain.models.backbones import SEResNeXt
from mmseg.registry import MODELS
from torch import Tensor

from endommlab.errors import ConfigError

#: Cadene ``pretrainedmodels`` key pattern -> mmpretrain key (the ImageNet weights that
#: Segmentation Models PyTorch, and so the DivergentNets paper, uses for ``se_resnext50_32x4d``).
_CADENE_KEYS = ((r'^layer0\.conv1\.', 'conv1.'), (r'^layer0\.bn1\.', 'bn1.'),
                (r'\.se_module\.fc1\.', '.se_layer.conv1.conv.'),
                (r'\.se_module\.fc2\.', '.se_layer.conv2.conv.'))


def convert_seresnext_state_dict(state_dict: Dict[str, Tensor]) -> 'OrderedDict[str, Tensor]':
    """Keys of a Cadene/SMP or mmpretrain-classifier SE-ResNeXt checkpoint, renamed as here.

    Drops the classifier (``last_linear``, ``head``), strips the ``backbone.``
    (mmpretrain) and ``encoder.`` (SMP) prefixes.
    """
    out = OrderedDict()
    for key, value in state_dict.items():
        key = re.sub(r'^(module\.)?(backbone\.|encoder\.)?', '', key)
        if key.startswith(('last_linear.', 'head.', 'neck.', 'fc.')):
            continue
        for pattern, repl in _CADENE_KEYS:
            key = re.sub(pattern, repl, key)
        out[key] = value
    return out


def expand_input_channels(weight: Tensor, in_channels: int) -> Tensor:
    """First-conv weights for ``in_channels`` inputs from RGB ones.

    Like SMP's ``patch_first_conv`` (used for the 4-channel third UNet of
    TriUNet): channel ``i`` takes the pretrained filter of channel
    ``i % 3``, all scaled by ``3 / in_channels``; fewer channels keep the first ones
    (one channel: the sum of the three).
    """
    pretrained_channels = weight.shape[1]
    if in_channels == pretrained_channels:
        return weight
    if in_channels == 1:
        return weight.sum(dim=1, keepdim=True)
    if in_channels < pretrained_channels:
        return weight[:, :in_channels]
    index = torch.arange(in_channels) % pretrained_channels
    return weight[:, index] * (pretrained_channels / in_channels)


@MODELS.register_module()
class SEResNeXtEncoder(SEResNeXt):
    """MMPretrain's SE-ResNeXt (Hu et al., CVPR 2018) as a multi-level segmentation encoder.

    Returns ``(stem, C2, C3, C4, C5)``: the stride-2 stem activation (64
    channels, before max pooling, the skip of a UNet's last decoder block) and
    the outputs of the four stages (256/512/1024/2048 channels at strides
    4/8/16/32 with the default ``strides``), exactly the features SMP's
    ``se_resnext50_32x4d`` encoder hands its decoders. ``strides`` and
    ``dilations`` give output stride 16 (``(1, 2, 2, 1)``/``(1, 1, 1, 2)``) or
    8 (``(1, 2, 1, 1)``/``(1, 1, 2, 4)``) for DeepLab decoders.

    ``pool_ceil_mode=True`` pools as the Cadene network whose ImageNet weights
    SMP loads (``MaxPool2d(3, 2, ceil_mode=True)``, no padding).

    ``init_cfg=dict(type='Pretrained', checkpoint=...)`` accepts an
    mmpretrain classifier checkpoint as well as Cadene/SMP weights (keys
    converted by :func:`convert_seresnext_state_dict`); with
    ``in_channels != 3`` the first convolution is adapted by
    :func:`expand_input_channels`.
    """

    def __init__(self, depth: int = 50, groups: int = 32, width_per_group: int = 4,
                 out_indices: Sequence[int] = (0, 1, 2, 3), with_stem: bool = True,
                 pool_ceil_mode: bool = True, **kwargs) -> None:
        super().__init__(depth=depth, groups=groups, width_per_group=width_per_group,
                         out_indices=out_indices, **kwargs)
        if self.deep_stem:
            raise ConfigError('SEResNeXtEncoder: deep_stem is not supported (the stem feature '
                              'is the 7x7 convolution output)')
        self.with_stem = with_stem
        if pool_ceil_mode:
            self.maxpool = nn.MaxPool2d(kernel_size=3, stride=2, ceil_mode=True)

    def forward(self, x: Tensor) -> Tuple[Tensor, ...]:
        """Features from the finest (stem) to the coarsest stage."""
        stem = self.relu(self.norm1(self.conv1(x)))
        outs = [stem] if self.with_stem else []
        x = self.maxpool(stem)
        for i, layer_name in enumerate(self.res_layers):
            x = getattr(self, layer_name)(x)
            if i in self.out_indices:
                outs.append(x)
        return tuple(outs)

    def train(self, mode: bool = True) -> 'SEResNeXtEncoder':
        """MMPretrain's ``ResNet.train`` returns None; return ``self`` as ``nn.Module`` does."""
        super().train(mode)
        return self

    def init_weights(self) -> None:
        """Random initialisation, or pretrained weights with keys and input channels converted."""
        if not (isinstance(self.init_cfg, dict) and self.init_cfg.get('type') == 'Pretrained'):
            super().init_weights()
            return
        checkpoint = CheckpointLoader.load_checkpoint(self.init_cfg['checkpoint'],
                                                      map_location='cpu', logger='current')
        state_dict = convert_seresnext_state_dict(checkpoint.get('state_dict', checkpoint))
        if 'conv1.weight' in state_dict:
            state_dict['conv1.weight'] = expand_input_channels(state_dict['conv1.weight'],
                                                               self.conv1.in_channels)
        load_state_dict(self, state_dict, strict=False, logger='current')
        print_log(f"SEResNeXtEncoder: loaded {self.init_cfg['checkpoint']}", logger='current')
        self._is_init = True
