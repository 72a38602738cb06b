from .single_channel_dice_loss import SingleChannelDiceLoss

__all__ = ['SingleChannelDiceLoss']
