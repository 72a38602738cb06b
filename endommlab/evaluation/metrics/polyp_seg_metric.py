"""EndoCV2021 polyp-mask metrics for MMSegmentation models."""
from mmseg.registry import METRICS

from .binary_polyp_metric import BinaryPolypMetric


@METRICS.register_module()
class PolypSegMetric(BinaryPolypMetric):
    """Jaccard, Dice, F2, precision, recall, accuracy and Hausdorff per image.

    The polyp mask is ``pred_sem_seg == polyp_index`` (and likewise for the
    ground truth), at the original image size as mmseg's ``postprocess_result``
    returns it.
    """
