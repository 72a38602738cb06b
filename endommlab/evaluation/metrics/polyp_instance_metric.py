"""EndoCV2021 polyp-mask metrics for MMDetection instance segmenters."""
from mmdet.registry import METRICS

from .binary_polyp_metric import BinaryPolypMetric


@METRICS.register_module()
class PolypInstanceMetric(BinaryPolypMetric):
    """Per-image binary polyp mask = union of the predicted instances.

    He et al. (EndoTect 2020) score Cascade Mask R-CNN on this mask (their
    Table 2: Jaccard, F1, recall, precision); instances below ``score_thr`` are
    dropped first (0 keeps what the model's ``test_cfg`` already kept).
    Ground truth is the union of the annotated instances, loaded at the
    original size (``LoadAnnotations`` after ``Resize`` in the test pipeline).
    """
