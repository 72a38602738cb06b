from .dice_loss_metric import DiceLossMetric
from .polyp_instance_metric import PolypInstanceMetric
from .polyp_seg_metric import PolypSegMetric

__all__ = ['DiceLossMetric', 'PolypInstanceMetric', 'PolypSegMetric']
