from .generalisation_gap import GAP_KEYS, deviation, generalisation_gap, generalisation_measures
from .multiclass_scores import MULTICLASS_KEYS, confusion_matrix, multiclass_scores
from .polyp_metrics import (EPS, FRAME_KEYS, SCORE_KEYS, aggregate_scores, binary_mask_scores,
                            confusion_counts, frame_detection_scores, frame_flags, row_hausdorff)
from .sample_masks import polyp_masks, sample_polyp_probability, to_numpy, union_of_instances

__all__ = [
    'GAP_KEYS', 'deviation', 'generalisation_gap', 'generalisation_measures',
    'MULTICLASS_KEYS', 'confusion_matrix', 'multiclass_scores', 'SCORE_KEYS', 'aggregate_scores',
    'binary_mask_scores', 'confusion_counts', 'row_hausdorff', 'EPS', 'FRAME_KEYS', 'frame_flags',
    'frame_detection_scores', 'polyp_masks', 'to_numpy',
    'union_of_instances', 'sample_polyp_probability'
]
