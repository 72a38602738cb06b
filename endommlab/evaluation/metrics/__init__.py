from .polyp_instance_metric import PolypInstanceMetric
from .polyp_seg_metric import PolypSegMetric

__all__ = ['PolypInstanceMetric', 'PolypSegMetric']

from .multi_head_cls_metric import MultiHeadClsMetric  # noqa: E402

__all__ += ['MultiHeadClsMetric']
