from .polyp_instance_metric import PolypInstanceMetric
from .polyp_seg_metric import PolypSegMetric

__all__ = ['PolypInstanceMetric', 'PolypSegMetric']
from .classwise_seg_metric import ClassWiseSegMetric

__all__ += ['ClassWiseSegMetric']
