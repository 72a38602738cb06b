from .batch_dice_loss import BatchDiceLoss
from .single_channel_dice_loss import SingleChannelDiceLoss
from .structure_loss import StructureLoss, box_mean, structure_loss

__all__ = [
    'BatchDiceLoss',
    'StructureLoss',
    'structure_loss',
    'box_mean',
    'SingleChannelDiceLoss',
]
