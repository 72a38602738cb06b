"""Segmentation Models PyTorch (github.com/qubvel/segmentation_models.pytorch), the library the
DivergentNets authors (vlbthambawita/divergent-nets) built their members with."""
from typing import Tuple

import torch
from mmengine.config import Config

from endommlab.errors import ConfigError
from .base import TorchReferenceModel, add_to_path, register_reference

#: EndoMMLab decode head -> smp architecture of the same decoder
SMP_ARCHITECTURES = {
    'UNetHead': 'Unet',
    'UNetPlusPlusHead': 'UnetPlusPlus',
    'SemanticFPNHead': 'FPN',
    'DeepLabV3Head': 'DeepLabV3',
    'DeepLabV3PlusHead': 'DeepLabV3Plus',
}


@register_reference('smp')
class SMPReference(TorchReferenceModel):
    """The smp model of a DivergentNets member config (``se_resnext50_32x4d`` encoder).

    ``path`` is a folder smp and timm are installed in (``pip install --target``),
    or empty when they are importable. Training: forward, the single-channel
    Dice loss of the paper (Eq. 1: ``1 - (2 sum(p y) + 1) / (sum p + sum y + 1)``
    on the softmax's polyp channel), backward, Adam step, as the authors'
    training script does with smp's ``DiceLoss``.
    """

    def __init__(self, cfg: Config, path: str, threads: int, size: Tuple[int, int]) -> None:
        super().__init__(cfg, path, threads, size)
        model = cfg.model
        head = model.get('decode_head', {}).get('type')
        if model.get('backbone', {}).get('type') != 'SEResNeXtEncoder' or \
                head not in SMP_ARCHITECTURES:
            raise ConfigError(f"--reference smp needs a DivergentNets member config (decode head "
                              f"one of {', '.join(SMP_ARCHITECTURES)}), not {head}")
        if path:
            add_to_path(path, 'segmentation_models_pytorch')
        try:
            import segmentation_models_pytorch as smp
        except ImportError as e:
            raise ConfigError(f'--reference smp: segmentation-models-pytorch is not importable '
                              f'({e}); pip install it, or --reference-path its folder') from None
        self.net = getattr(smp, SMP_ARCHITECTURES[head])(
            encoder_name='se_resnext50_32x4d', encoder_weights=None,
            classes=model.decode_head.out_channels)
        self.optimizer = torch.optim.Adam(self.net.parameters(), self.learning_rate(cfg))

    def train_step(self, images: torch.Tensor, masks: torch.Tensor) -> float:
        self.net.train()
        p = self.net(images).softmax(dim=1)[:, 1:2]
        return self.optimise(1 - (2 * (p * masks).sum() + 1) / (p.sum() + masks.sum() + 1))
