"""Calibrate threshold post-processing on frames with and without a polyp.

The post-processing of Yu et al. (EndoCV 2021, §2.3; :func:`~endommlab.models.segmentors.
threshold_post_process_segmentor.threshold_post_process`) polarises the polyp probability at
``threshold`` and empties a frame whose predicted area is below ``reference_area``. Here both
are chosen by measurement: the model runs once over a positive set (frames with polyps) and a
negative set (frames without), every pair of a threshold grid and an area grid is scored —
Dice over the positives (an emptied frame scores the EndoCV2021 Dice of an empty prediction)
and the false-alarm rate over the negatives (frames left with a predicted polyp) — and the pair
with the best Dice whose false-alarm rate is at most the target wins.
"""
from dataclasses import dataclass
from typing import List, Optional, Sequence, Tuple

import numpy as np
import torch
from mmengine.utils import ProgressBar

from endommlab.errors import DataError
from endommlab.evaluation.functional import EPS, sample_polyp_probability

#: Default grids: polarisation thresholds, and areas as fractions of the frame.
THRESHOLDS = (0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.98, 0.99)
AREAS = (0.0, 0.001, 0.0025, 0.005, 0.01, 0.02, 0.03, 0.05, 0.075, 0.1, 0.15, 0.2)


@dataclass
class FrameCounts:
    """One frame at each threshold: predicted area (fraction), true and false positives."""

    gt_pixels: int
    area: np.ndarray  # (T,) fraction of the frame above each threshold
    tp: np.ndarray  # (T,) pixels
    fp: np.ndarray  # (T,) pixels


def frame_counts(gt: np.ndarray, prob: np.ndarray,
                 thresholds: Sequence[float] = THRESHOLDS) -> FrameCounts:
    """The counts of one frame (``gt`` boolean, ``prob`` in [0, 1], same shape)."""
    preds = prob[None] > np.asarray(thresholds, dtype=prob.dtype)[:, None, None]
    tp = (preds & gt[None]).sum(axis=(1, 2))
    fp = preds.sum(axis=(1, 2)) - tp
    return FrameCounts(int(gt.sum()), preds.mean(axis=(1, 2)), tp, fp)


def collect_counts(model: torch.nn.Module, loader, thresholds: Sequence[float] = THRESHOLDS,
                   title: str = '') -> List[FrameCounts]:
    """Run ``model`` (evaluation mode) over ``loader`` (batch 1) once; every frame's counts."""
    if title:
        print(title, flush=True)
    bar = ProgressBar(len(loader.dataset))
    counts = []
    with torch.no_grad():
        for batch in loader:
            for sample in model.test_step(batch):
                gt, prob = sample_polyp_probability(sample.to_dict())
                counts.append(frame_counts(gt, prob.astype(np.float32), thresholds))
                bar.update()
    print(flush=True)
    return counts


def scores_at(positives: Sequence[FrameCounts], negatives: Sequence[FrameCounts], index: int,
              area: float) -> Tuple[float, float]:
    """``(mean Dice over positives, false-alarm rate over negatives)`` at threshold number
    ``index`` and reference area ``area``: a frame below ``area`` is emptied."""
    dice = []
    for f in positives:
        kept = f.area[index] >= area
        tp, fp = (f.tp[index], f.fp[index]) if kept else (0, 0)
        fn = f.gt_pixels - tp
        dice.append((2 * tp + EPS) / (2 * tp + fp + fn + EPS))
    alarms = [f.area[index] > 0 and f.area[index] >= area for f in negatives]
    return float(np.mean(dice)), float(np.mean(alarms))


def calibrate(positives: Sequence[FrameCounts], negatives: Sequence[FrameCounts],
              max_false_alarm: float, thresholds: Sequence[float] = THRESHOLDS,
              areas: Sequence[float] = AREAS) -> Tuple[Optional[dict], List[dict]]:
    """The best ``dict(threshold, reference_area, dice, false_alarm_rate)`` whose false-alarm
    rate is at most ``max_false_alarm`` (None if no pair reaches it), and every pair scored.

    Ties in Dice go to the lower false-alarm rate, then to the smaller area and threshold.
    """
    if not positives or not negatives:
        raise DataError('calibration needs frames with a polyp and frames without one '
                        f'(got {len(positives)} and {len(negatives)})')
    grid = []
    for i, threshold in enumerate(thresholds):
        for area in areas:
            dice, alarm = scores_at(positives, negatives, i, area)
            grid.append(dict(threshold=threshold, reference_area=area, dice=dice,
                             false_alarm_rate=alarm))
    allowed = [g for g in grid if g['false_alarm_rate'] <= max_false_alarm]
    best = max(allowed, key=lambda g: (g['dice'], -g['false_alarm_rate'], -g['reference_area'],
                                       -g['threshold']), default=None)
    return best, grid


def pareto_front(grid: Sequence[dict]) -> List[dict]:
    """The pairs no other pair beats on both Dice and false-alarm rate, by false-alarm rate."""
    front, best_dice = [], -1.0
    for g in sorted(grid, key=lambda g: (g['false_alarm_rate'], -g['dice'])):
        if g['dice'] > best_dice:
            front.append(g)
            best_dice = g['dice']
    return front
