"""Multi-class precision, recall, F1 (macro and micro) and Matthews correlation.

The columns of He et al., EndoTect 2020, Table 1, and the EndoTect ranking
metric, with scikit-learn's conventions (``precision_recall_fscore_support``
and ``matthews_corrcoef`` without ``labels``): macro averages run over the
classes that occur in the ground truth or the predictions, a class never
predicted has precision 0, and macro F1 is the mean of the per-class F1.
Micro precision, recall and F1 of single-label predictions all equal the
accuracy.

Multi-class MCC (Gorodkin's R_K) from the confusion matrix ``C`` (rows: truth),
with ``c = trace(C)``, ``s = sum(C)``, ``t_k`` the row sums and ``p_k`` the
column sums:

    MCC = (c * s - sum_k p_k t_k) / sqrt((s^2 - sum_k p_k^2) (s^2 - sum_k t_k^2)),

0 when a factor of the denominator is 0.
"""
from typing import Dict

import numpy as np

#: Keys of :func:`multiclass_scores`.
MULTICLASS_KEYS = ('precision_macro', 'recall_macro', 'f1_macro', 'precision_micro',
                   'recall_micro', 'f1_micro', 'mcc', 'accuracy')


def confusion_matrix(gt: np.ndarray, pred: np.ndarray, num_classes: int) -> np.ndarray:
    """``num_classes x num_classes`` counts, rows ground truth, columns prediction."""
    gt = np.asarray(gt, dtype=np.int64).ravel()
    pred = np.asarray(pred, dtype=np.int64).ravel()
    if gt.shape != pred.shape:
        raise ValueError(f'{gt.size} ground-truth labels but {pred.size} predictions')
    if gt.size and (min(gt.min(), pred.min()) < 0 or max(gt.max(), pred.max()) >= num_classes):
        raise ValueError(f'labels must lie in [0, {num_classes})')
    return np.bincount(gt * num_classes + pred, minlength=num_classes ** 2).reshape(
        num_classes, num_classes)


def _ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    return np.divide(num, den, out=np.zeros_like(num, dtype=np.float64), where=den > 0)


def multiclass_scores(cm: np.ndarray) -> Dict[str, float]:
    """Scores of a confusion matrix (rows truth, columns prediction), as fractions."""
    cm = np.asarray(cm, dtype=np.float64)
    tp = np.diag(cm)
    t = cm.sum(axis=1)
    p = cm.sum(axis=0)
    s = cm.sum()
    present = (t + p) > 0
    precision = _ratio(tp, p)[present]
    recall = _ratio(tp, t)[present]
    f1 = _ratio(2 * precision * recall, precision + recall)
    accuracy = float(tp.sum() / s) if s else 0.0
    den = (s ** 2 - (p ** 2).sum()) * (s ** 2 - (t ** 2).sum())
    mcc = float((tp.sum() * s - (p * t).sum()) / np.sqrt(den)) if den > 0 else 0.0
    mean = (lambda v: float(v.mean()) if v.size else 0.0)
    return dict(precision_macro=mean(precision), recall_macro=mean(recall), f1_macro=mean(f1),
                precision_micro=accuracy, recall_micro=accuracy, f1_micro=accuracy,
                mcc=mcc, accuracy=accuracy)
