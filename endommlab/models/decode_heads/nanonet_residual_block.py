"""NanoNet's modified residual block with squeeze-and-excitation."""
from collections import OrderedDict
from typing import Optional

import torch.nn as nn
import torch.nn.functional as F
from mmcv.cnn import build_activation_layer, build_norm_layer
from mmengine.model import BaseModule
from mmseg.models.utils import resize
from mmseg.registry import MODELS
from torch import Tensor
from torch.nn.modules.batchnorm import _BatchNorm

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


def _frozen(bn: _BatchNorm) -> bool:
    """A batch norm that normalises with its running statistics (evaluation mode)."""
    return not bn.training and bn.track_running_stats


def conv1x1_of_upsampled_concat(conv: nn.Conv2d, low: Tensor, skip: Tensor,
                                frozen_bn: Optional[_BatchNorm] = None) -> Tensor:
    """``conv(cat([up(low), skip]))`` of a 1x1 ``conv``, as ``up(W_low * low) + W_skip * skip + b``.

    ``up`` is the bilinear resize of ``low`` to ``skip``'s size (``align_corners=False``).
    It is linear and its weights sum to one at every output pixel, so it commutes
    with a per-pixel channel map: the same values (up to float rounding), with
    the resize run on the convolution's outputs instead of ``low``'s channels and
    no concatenated tensor. A ``frozen_bn`` (evaluation mode) that follows the
    convolution is folded into both halves, ``BN(z) = k z + beta - k mu`` with
    ``k = gamma / sqrt(var + eps)``, as a deployment runtime folds a batch norm
    into the convolution it follows.
    """
    weight, bias = conv.weight, conv.bias
    if frozen_bn is not None:
        k = frozen_bn.weight / (frozen_bn.running_var + frozen_bn.eps).sqrt()
        weight = weight * k[:, None, None, None]
        bias = (bias - frozen_bn.running_mean) * k + frozen_bn.bias
    split = low.shape[1]
    out = resize(F.conv2d(low, weight[:, :split]), size=skip.shape[2:], mode='bilinear',
                 align_corners=False)
    return out + F.conv2d(skip, weight[:, split:], bias)


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

    Called as ``block(x, skip)``, the input is the decoder step's
    ``cat([up(x), skip])`` (bilinear ``up`` to ``skip``'s size), and the 1x1
    convolutions that read it run through :func:`conv1x1_of_upsampled_concat`:
    the same function of the same parameters without resizing ``x``'s channels
    at the skip's resolution (on NanoNet-A's last step: 8 channels resized instead
    of 64, no 96-channel full-resolution concatenation). In evaluation mode
    the released form's ``r + BN'(r)`` is one batch norm of ``r``
    (:meth:`_plus_frozen_bn`).
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

    def forward(self, x: Tensor, skip: Optional[Tensor] = None) -> Tensor:
        residual = self.conv3(self.conv2(self._read_input(self.conv1, x, skip)))
        if self.shortcut_type == 'conv':
            out = self.act(residual + self._read_input(self.shortcut, x, skip))
        elif _frozen(self.shortcut):
            out = self.act(self._plus_frozen_bn(residual))
        else:
            out = self.act(residual + self.shortcut(residual))
        scale = self.se_excite(self.se_squeeze(out.mean(dim=(2, 3))).relu()).sigmoid()
        return out * scale[:, :, None, None]

    @staticmethod
    def _read_input(layer: nn.Sequential, x: Tensor, skip: Optional[Tensor]) -> Tensor:
        """``layer`` (1x1 conv, BN[, act]) of ``x``, or of ``cat([up(x), skip])``."""
        if skip is None:
            return layer(x)
        if _frozen(layer.bn):
            return layer[2:](conv1x1_of_upsampled_concat(layer.conv, x, skip, layer.bn))
        return layer[1:](conv1x1_of_upsampled_concat(layer.conv, x, skip))

    def _plus_frozen_bn(self, r: Tensor) -> Tensor:
        """``r + BN'(r)`` with BN' in evaluation mode, as one batch norm of ``r``.

        ``r + (r - mu) g / sigma + b = (r - mu)(g + sigma) / sigma + (b + mu)`` with
        ``sigma = sqrt(var + eps)``: one pass over ``r`` instead of two plus an
        addition, and a batch norm that follows ``conv3``'s, which ONNX Runtime
        and TorchScript's freezing fold into that convolution.
        """
        bn = self.shortcut
        sigma = (bn.running_var + bn.eps).sqrt()
        return F.batch_norm(r, bn.running_mean, bn.running_var, bn.weight + sigma,
                            bn.bias + bn.running_mean, False, 0., bn.eps)
