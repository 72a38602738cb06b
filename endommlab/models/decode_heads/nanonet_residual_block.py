"""NanoNet's modified residual block with squeeze-and-excitation."""
from collections import OrderedDict
from typing import Optional

import torch.nn as nn
from mmcv.cnn import build_activation_layer, build_norm_layer
from mmengine.model import BaseModule
from mmseg.registry import MODELS
from torch import Tensor

from endommlab.errors import ConfigError

#: ``'conv'``: the paper's shortcut, 1x1 conv + BN of the block input.
#: ``'bn'``: the released Keras code's, BN of the residual branch's output.
SHORTCUTS = ('conv', 'bn')


def conv_bn_act(in_channels: int, out_channels: int, kernel_size: int, norm_cfg: dict,
                act_cfg: Optional[dict]) -> nn.Sequential:
    """Keras ``Conv2D(padding='same')`` (with bias) + ``BatchNormalization`` [+ activation]."""
    layers = [('conv', nn.Conv2d(in_channels, out_channels, kernel_size,
                                 padding=kernel_size // 2, bias=True)),
              ('bn', build_norm_layer(norm_cfg, out_channels)[1])]
    if act_cfg is not None:
        layers.append(('activate', build_activation_layer(act_cfg)))
    return nn.Sequential(OrderedDict(layers))


@MODELS.register_module()
class NanoNetResidualBlock(BaseModule):
    """Residual block of NanoNet's decoder (Jha et al., CBMS 2021, Fig. 1).

    ``r = BN(conv3x3_n(ReLU(BN(conv3x3_{n/4}(ReLU(BN(conv1x1_{n/4}(x))))))))``,
    ``y = SE(ReLU(r + s))`` with the squeeze-and-excitation of Hu et al.
    (``y = z * sigmoid(W2 ReLU(W1 avgpool(z)))``, ``W1: n -> n // 16``,
    ``W2: n // 16 -> n``, both without bias). The shortcut ``s`` is

    * ``shortcut='conv'`` (default, the paper's text): ``s = BN(conv1x1_n(x))``;
    * ``shortcut='bn'`` (the authors' released ``model.py``, whose
      ``s = BatchNormalization()(x)`` is applied to the residual branch, leaving
      its 1x1 conv unused): ``s = BN'(r)``, i.e. ``y = SE(ReLU(r + BN'(r)))``.
      This is the form whose parameter counts the paper's tables report.

    All convolutions have a bias, as Keras' ``Conv2D`` does by default.
    """

    def __init__(self, in_channels: int, out_channels: int, shortcut: str = 'conv',
                 se_ratio: int = 16, norm_cfg: dict = dict(type='BN', eps=1e-3, momentum=0.01),
                 act_cfg: dict = dict(type='ReLU'), init_cfg=None) -> None:
        super().__init__(init_cfg=init_cfg)
        if shortcut not in SHORTCUTS:
            raise ConfigError(f'shortcut must be one of {SHORTCUTS}, got {shortcut!r}')
        if out_channels < 4 or out_channels // se_ratio < 1:
            raise ConfigError(f'NanoNetResidualBlock needs out_channels >= max(4, se_ratio), got '
                              f'{out_channels} with se_ratio {se_ratio}')
        mid_channels = out_channels // 4
        self.shortcut_type = shortcut
        self.conv1 = conv_bn_act(in_channels, mid_channels, 1, norm_cfg, act_cfg)
        self.conv2 = conv_bn_act(mid_channels, mid_channels, 3, norm_cfg, act_cfg)
        self.conv3 = conv_bn_act(mid_channels, out_channels, 3, norm_cfg, None)
        if shortcut == 'conv':
            self.shortcut = conv_bn_act(in_channels, out_channels, 1, norm_cfg, None)
        else:
            self.shortcut = build_norm_layer(norm_cfg, out_channels)[1]
        self.act = build_activation_layer(act_cfg)
        self.se_squeeze = nn.Linear(out_channels, out_channels // se_ratio, bias=False)
        self.se_excite = nn.Linear(out_channels // se_ratio, out_channels, bias=False)

    def forward(self, x: Tensor) -> Tensor:
        residual = self.conv3(self.conv2(self.conv1(x)))
        shortcut = self.shortcut(x if self.shortcut_type == 'conv' else residual)
        out = self.act(residual + shortcut)
        scale = self.se_excite(self.se_squeeze(out.mean(dim=(2, 3))).relu()).sigmoid()
        return out * scale[:, :, None, None]
