"""EndoCV2021 generalisation score and gap between in- and out-of-distribution data sets.

Reference: Ali et al., "Assessing generalisability of deep learning-based polyp
detection and segmentation methods through a computer vision challenge"
(EndoCV2021), toolbox ``sharib-vision/EndoCV2021-polyp_det_seg_gen``,
``compute_seg_gen.py``. Each data set is summarised by the four measures of
``appendGen_measures``: Dice, recall, precision (``PPV``) and
``1 - hausdorff`` (the toolbox's normalised Hausdorff ``mean(H) / max(H)``).
``computeDeviation`` gives every measure a tolerance of ``tol_limit = 10`` %
around its in-distribution value ``p_in``: a generalisation value ``p_out``
inside ``[0.9 p_in, 1.1 p_in]`` deviates by 0, any other by
``|0.9 p_in - p_out|``. The gap (``score_seg_g``) is the mean deviation over
the four measures, and the generalisation score (``seg_g_score``) is the mean
of the four measures on the out-of-distribution set.
"""
from typing import Dict, List

import numpy as np

#: Keys of :func:`generalisation_gap`.
GAP_KEYS = ('gen_score', 'gen_gap')


def generalisation_measures(scores: Dict[str, float]) -> List[float]:
    """``[dice, recall, precision, 1 - hausdorff]`` of :func:`aggregate_scores` output."""
    return [scores['dice'], scores['recall'], scores['precision'], 1 - scores['hausdorff']]


def deviation(p_in: float, p_out: float, tolerance: float = 10.0) -> float:
    """The toolbox's ``computeDeviation``; ``tolerance`` in percent of ``p_in``."""
    low, high = p_in - tolerance * 0.01 * p_in, p_in + tolerance * 0.01 * p_in
    return 0.0 if low <= p_out <= high else abs(low - p_out)


def generalisation_gap(scores_in: Dict[str, float], scores_out: Dict[str, float],
                       tolerance: float = 10.0) -> Dict[str, float]:
    """``gen_score`` (``seg_g_score``) and ``gen_gap`` (``score_seg_g``) of one
    out-of-distribution set."""
    measures_in = generalisation_measures(scores_in)
    measures_out = generalisation_measures(scores_out)
    return dict(gen_score=float(np.mean(measures_out)),
                gen_gap=float(np.mean([deviation(a, b, tolerance)
                                       for a, b in zip(measures_in, measures_out)])))
