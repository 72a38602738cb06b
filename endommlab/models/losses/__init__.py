from .batch_dice_loss import BatchDiceLoss
from .structure_loss import StructureLoss, structure_loss

__all__ = [
    'BatchDiceLoss',
    'StructureLoss',
    'structure_loss',
]
