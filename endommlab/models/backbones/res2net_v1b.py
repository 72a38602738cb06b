"""Res2Net-50 v1b 26w×4s, the backbone of PraNet and of Yu et al. (EndoCV2021).

Gao et al., "Res2Net: A New Multi-scale Backbone Architecture", TPAMI 2021;
"v1b" is the variant of the official Res2Net-PretrainedModels release with a
deep stem (three 3×3 convolutions) and average-pool downsampling
(``avg_down``) in the shortcuts.
"""
import re
from typing import Dict, List, Sequence

from mmpretrain.models.backbones import Res2Net
from mmseg.registry import MODELS
from torch import nn

#: Official v1b stem names → MMPretrain's ``stem`` (three ConvModules).
_STEM_KEYS = {'conv1.0.': 'stem.0.conv.', 'conv1.1.': 'stem.0.bn.', 'conv1.3.': 'stem.1.conv.',
              'conv1.4.': 'stem.1.bn.', 'conv1.6.': 'stem.2.conv.', 'bn1.': 'stem.2.bn.'}


def convert_official_res2net_keys(state_dict: Dict, prefix: str = '') -> List[str]:
    """Rename an official ``res2net50_v1b_26w_4s`` state dict in place for MMPretrain.

    Only the stem names differ (``conv1.{0,1,3,4,6}``/``bn1`` → ``stem.{0,1,2}.{conv,bn}``);
    the ``fc`` classifier is dropped. Keys under ``prefix`` are considered; the
    renamed keys are returned. A state dict already in MMPretrain's names is
    left as it is.
    """
    renamed = []
    pattern = re.compile('^' + re.escape(prefix) + '(' + '|'.join(map(re.escape, _STEM_KEYS)) + ')')
    for key in list(state_dict):
        if key.startswith(prefix + 'fc.'):
            del state_dict[key]
            continue
        match = pattern.match(key)
        if match:
            new_key = prefix + _STEM_KEYS[match.group(1)] + key[match.end():]
            state_dict[new_key] = state_dict.pop(key)
            renamed.append(new_key)
    return renamed


@MODELS.register_module()
class Res2NetV1b(Res2Net):
    """MMPretrain's ``Res2Net`` with PraNet's settings, loading official v1b weights.

    MMPretrain's Res2Net matches the official v1b network layer for layer: deep
    stem 32-32-64, ``avg_down`` shortcuts and, in the first block of every stage,
    the 3×3 average pool of the last scale split, also in the stride-1 first
    stage (MMDetection's Res2Net skips that pool when the stride is 1, so its
    first stage differs from the released weights). This class only sets the
    26w×4s defaults, returns the four stage outputs ``f2..f5`` (256, 512, 1024,
    2048 channels at 1/4..1/32), and renames the official checkpoint's stem keys
    while loading, so ``init_cfg=dict(type='Pretrained', checkpoint=<official
    res2net50_v1b_26w_4s .pth>)`` works without a conversion step.
    """

    def __init__(self, depth: int = 50, scales: int = 4, base_width: int = 26,
                 out_indices: Sequence[int] = (0, 1, 2, 3), **kwargs) -> None:
        super().__init__(depth=depth, scales=scales, base_width=base_width,
                         out_indices=out_indices, **kwargs)
        self.register_load_state_dict_pre_hook(self._accept_official_keys)

    @staticmethod
    def _accept_official_keys(module: nn.Module, state_dict: Dict, prefix: str, *args) -> None:
        convert_official_res2net_keys(state_dict, prefix)
