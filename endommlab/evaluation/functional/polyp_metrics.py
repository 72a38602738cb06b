"""Per-image binary polyp-mask metrics, as the EndoCV2021 toolbox computes them.

Reference: Ali et al., "Assessing generalisability of deep learning-based polyp
detection and segmentation methods through a computer vision challenge"
(EndoCV2021), evaluation code ``metrics_seg.py`` / ``compute_seg.py``.

Every ratio carries the toolbox's smoothing ``eps = 1e-15`` in numerator and
denominator, so an image whose ground truth and prediction are both empty
scores 1 everywhere ("both-empty counts as perfect"); an empty ground truth
with a non-empty prediction scores precision/Jaccard/Dice/F2 = 0 but
recall = 1, and the reverse scores precision = 1, recall = 0, exactly as the
challenge's leaderboard did.

Frame-level detection (not in the toolbox, which scores pixels only) is reported beside it by
:func:`frame_detection_scores`: on frames whose ground truth is empty, the share with any
predicted polyp pixel (``false_alarm_rate``) and the mean predicted area there
(``false_alarm_area``, a fraction of the frame); on frames with a polyp, the share where the
prediction overlaps it (``detection_rate``). These say what the pixel scores of an empty
ground truth cannot: a false polyp on a negative frame costs Dice 0 but leaves recall at 1.

The Hausdorff distance follows the toolbox too: ``hausdorff.hausdorff_distance
(gt, pred, distance='euclidean')`` treats each image *row* of the binary masks
as a point in ``W``-dimensional space, and the dataset value is the mean
distance divided by the largest one (``mean(H) / max(H)``).
"""
from typing import Dict, Sequence

import numpy as np
import torch

EPS = 1e-15

#: Keys of :func:`binary_mask_scores`, in the column order of the papers' tables.
SCORE_KEYS = ('jaccard', 'dice', 'f2', 'precision', 'recall', 'accuracy', 'hausdorff')
#: Keys of :func:`frame_detection_scores`.
FRAME_KEYS = ('false_alarm_rate', 'false_alarm_area', 'detection_rate')


def confusion_counts(gt: np.ndarray, pred: np.ndarray) -> Dict[str, float]:
    """Pixel counts ``tp, fp, fn, tn`` of two binary masks of equal shape."""
    if gt.shape != pred.shape:
        raise ValueError(f'mask shapes differ: ground truth {gt.shape} vs prediction {pred.shape}')
    gt = gt.astype(bool)
    pred = pred.astype(bool)
    tp = float(np.count_nonzero(gt & pred))
    fp = float(np.count_nonzero(~gt & pred))
    fn = float(np.count_nonzero(gt & ~pred))
    tn = float(gt.size) - tp - fp - fn
    return dict(tp=tp, fp=fp, fn=fn, tn=tn)


def row_hausdorff(gt: np.ndarray, pred: np.ndarray) -> float:
    """Symmetric Hausdorff distance between the rows of two masks.

    ``max(max_a min_b |a - b|, max_b min_a |a - b|)`` over the row vectors
    ``a`` of ``gt`` and ``b`` of ``pred`` (Euclidean), which is what the
    EndoCV2021 toolbox's call of ``hausdorff_distance`` on 2-D masks computes.
    """
    a = torch.from_numpy(np.ascontiguousarray(gt, dtype=np.float64))
    b = torch.from_numpy(np.ascontiguousarray(pred, dtype=np.float64))
    d = torch.cdist(a, b)
    return float(torch.maximum(d.min(dim=1).values.max(), d.min(dim=0).values.max()))


def binary_mask_scores(gt: np.ndarray, pred: np.ndarray) -> Dict[str, float]:
    """EndoCV2021 scores of one image (masks of 0/1 or bool, same ``H x W``)."""
    c = confusion_counts(gt, pred)
    tp, fp, fn, tn = c['tp'], c['fp'], c['fn'], c['tn']
    precision = (tp + EPS) / (tp + fp + EPS)
    recall = (tp + EPS) / (tp + fn + EPS)
    return dict(
        jaccard=(tp + EPS) / (tp + fp + fn + EPS),
        dice=(2 * tp + EPS) / (2 * tp + fp + fn + EPS),
        f2=5 * precision * recall / (4 * precision + recall + EPS),
        precision=precision,
        recall=recall,
        accuracy=(tp + tn) / (tp + tn + fp + fn),
        hausdorff=row_hausdorff(gt, pred),
    )


def frame_flags(gt: np.ndarray, pred: np.ndarray) -> Dict[str, float]:
    """Frame-level facts of one image: polyp in the ground truth, polyp predicted, polyp found
    (prediction overlaps the ground truth) and the predicted area as a fraction of the frame."""
    gt, pred = gt.astype(bool), pred.astype(bool)
    return dict(gt_polyp=float(gt.any()), pred_polyp=float(pred.any()),
                found=float((gt & pred).any()), pred_area=float(pred.mean()) if pred.size else 0.)


def frame_detection_scores(per_image: Sequence[Dict[str, float]]) -> Dict[str, float]:
    """``false_alarm_rate`` and ``false_alarm_area`` over the frames without a polyp,
    ``detection_rate`` over the frames with one (:func:`frame_flags` per image); a key is
    left out when the set has no frame of its kind."""
    negatives = [s for s in per_image if not s['gt_polyp']]
    positives = [s for s in per_image if s['gt_polyp']]
    out = {}
    if negatives:
        out['false_alarm_rate'] = float(np.mean([s['pred_polyp'] for s in negatives]))
        out['false_alarm_area'] = float(np.mean([s['pred_area'] for s in negatives]))
    if positives:
        out['detection_rate'] = float(np.mean([s['found'] for s in positives]))
    return out


def aggregate_scores(per_image: Sequence[Dict[str, float]]) -> Dict[str, float]:
    """Dataset scores: per-image means, and the toolbox's ``mean(H)/max(H)``.

    ``hausdorff_mean`` keeps the un-normalised mean distance as well.
    """
    if not per_image:
        raise ValueError('no images were evaluated')
    out = {k: float(np.mean([s[k] for s in per_image])) for k in SCORE_KEYS if k != 'hausdorff'}
    hd = np.array([s['hausdorff'] for s in per_image])
    out['hausdorff'] = float(hd.mean() / hd.max()) if hd.max() > 0 else 0.0
    out['hausdorff_mean'] = float(hd.mean())
    return out
