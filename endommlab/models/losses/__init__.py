from .batch_dice_loss import BatchDiceLoss

__all__ = ['BatchDiceLoss']
