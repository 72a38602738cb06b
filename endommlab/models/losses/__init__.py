from .batch_dice_loss import BatchDiceLoss
from .single_channel_dice_loss import SingleChannelDiceLoss
from .structure_loss import StructureLoss, structure_loss

__all__ = [
    'BatchDiceLoss',
    'StructureLoss',
    'structure_loss',
    'SingleChannelDiceLoss',
]
