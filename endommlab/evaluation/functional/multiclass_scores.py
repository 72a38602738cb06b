"""Multi-class precision, recall, F1 (macro and micro) and Matthews correlation.

The columns of He et al., EndoTect 2020, Table 1, and the EndoTect ranking
metric, computed by scikit-learn (``confusion_matrix``,
``precision_recall_fscore_support`` and ``matthews_corrcoef``): macro averages
run over the classes that occur in the ground truth or the predictions, a
class never predicted has precision 0 (``zero_division=0``), and macro F1 is
the mean of the per-class F1. Micro precision, recall and F1 of single-label
predictions all equal the accuracy.

Multi-class MCC is Gorodkin's R_K from the confusion matrix ``C`` (rows:
truth), with ``c = trace(C)``, ``s = sum(C)``, ``t_k`` the row sums and ``p_k``
the column sums:

    MCC = (c * s - sum_k p_k t_k) / sqrt((s^2 - sum_k p_k^2) (s^2 - sum_k t_k^2)),

0 when a factor of the denominator is 0.
"""
from typing import Dict

import numpy as np
from sklearn import metrics

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
    if not gt.size:  # scikit-learn refuses empty inputs
        return np.zeros((num_classes, num_classes), dtype=np.int64)
    return metrics.confusion_matrix(gt, pred, labels=np.arange(num_classes)).astype(np.int64)


def multiclass_scores(cm: np.ndarray) -> Dict[str, float]:
    """Scores of a confusion matrix (rows truth, columns prediction), as fractions."""
    cm = np.asarray(cm, dtype=np.int64)
    n = cm.shape[0]
    # the label pairs the matrix counts, for scikit-learn's label-based functions
    cells = np.repeat(np.arange(n * n), cm.ravel())
    gt, pred = cells // n, cells % n
    if not cells.size:
        return {key: 0.0 for key in MULTICLASS_KEYS}
    # classes that occur in the ground truth or the predictions; the others are not averaged
    labels = np.flatnonzero(cm.sum(axis=0) + cm.sum(axis=1))
    scores = {}
    for average in ('macro', 'micro'):
        precision, recall, f1, _ = metrics.precision_recall_fscore_support(
            gt, pred, labels=labels, average=average, zero_division=0)
        scores.update({f'precision_{average}': float(precision),
                       f'recall_{average}': float(recall), f'f1_{average}': float(f1)})
    # one class only: the denominator is 0, so MCC is 0 (scikit-learn would warn about the shape)
    scores['mcc'] = float(metrics.matthews_corrcoef(gt, pred)) if labels.size > 1 else 0.0
    scores['accuracy'] = float(metrics.accuracy_score(gt, pred))
    return {key: scores[key] for key in MULTICLASS_KEYS}
