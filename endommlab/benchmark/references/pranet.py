"""PraNet (Fan et al., MICCAI 2020) from the authors' code, DengPingFan/PraNet."""
import os.path as osp
from typing import Tuple

import torch
from mmengine.config import Config

from .base import TorchReferenceModel, add_to_path, load_function, register_reference


@register_reference('pranet')
class PraNetReference(TorchReferenceModel):
    """``lib/PraNet_Res2Net.py``'s ``PraNet`` and ``MyTrain.py``'s training iteration.

    ``path`` is a checkout of DengPingFan/PraNet (``lib/`` and ``MyTrain.py``).
    The Res2Net backbone is built with ``pretrained=False`` (the authors' code
    loads a file from their own disk). Training, as ``MyTrain.py`` at one
    scale: the structure loss (Eq. 1) of each of the four side maps, summed,
    backward, Adam step.
    """

    def __init__(self, cfg: Config, path: str, threads: int, size: Tuple[int, int]) -> None:
        super().__init__(cfg, path, threads, size)
        add_to_path(path, osp.join('lib', 'PraNet_Res2Net.py'))
        from lib import PraNet_Res2Net
        res2net = PraNet_Res2Net.res2net50_v1b_26w_4s
        PraNet_Res2Net.res2net50_v1b_26w_4s = lambda pretrained=False, **kw: res2net(False, **kw)
        self.net = PraNet_Res2Net.PraNet()
        self.structure_loss = load_function(osp.join(path, 'MyTrain.py'), 'structure_loss')
        self.optimizer = torch.optim.Adam(self.net.parameters(), self.learning_rate(cfg))

    def train_step(self, images: torch.Tensor, masks: torch.Tensor) -> float:
        self.net.train()
        return self.optimise(sum(self.structure_loss(side, masks) for side in self.net(images)))
