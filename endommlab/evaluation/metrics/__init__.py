from .classwise_seg_metric import ClassWiseSegMetric
from .dice_loss_metric import DiceLossMetric
from .multi_head_cls_metric import MultiHeadClsMetric
from .polyp_instance_metric import PolypInstanceMetric
from .polyp_seg_metric import PolypSegMetric
from .pranet_metric import PRANET_KEYS, PraNetMetric
from .raw_polyp_seg_metric import RawPolypSegMetric

__all__ = [
    'DiceLossMetric',
    'PolypInstanceMetric',
    'PolypSegMetric',
    'PraNetMetric',
    'PRANET_KEYS',
    'RawPolypSegMetric',
    'MultiHeadClsMetric',
    'ClassWiseSegMetric',
]
