"""Per-class IoU, F1, precision and recall (polyp, background, all classes) for MMSegmentation."""
from collections import OrderedDict
from typing import Dict, Optional

import numpy as np
from mmengine.logging import MMLogger, print_log
from mmseg.evaluation.metrics import IoUMetric
from mmseg.registry import METRICS
from prettytable import PrettyTable

#: output name -> key of ``IoUMetric.total_area_to_metrics``
_METRICS = OrderedDict(IoU='IoU', F1='Fscore', Precision='Precision', Recall='Recall')


@METRICS.register_module()
class ClassWiseSegMetric(IoUMetric):
    """IoU, F1, precision and recall of every class and their mean over classes ("all").

    The per-class columns the DivergentNets paper tabulates (polyp class,
    background class, all classes). Counted as mmseg's :class:`IoUMetric`
    does: intersection and union of each class accumulated over the whole
    test set (not averaged per image, unlike ``PolypSegMetric``), "all" the
    unweighted mean of the classes. Values are fractions; keys are
    ``classwise/<metric>_<class>`` and ``classwise/<metric>_all``, e.g.
    ``classwise/IoU_polyp``.
    """

    default_prefix: Optional[str] = 'classwise'

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault('iou_metrics', ['mIoU', 'mFscore'])
        super().__init__(**kwargs)

    def compute_metrics(self, results: list) -> Dict[str, float]:
        areas = [sum(column) for column in zip(*results)]
        per_class = self.total_area_to_metrics(*areas, ['mIoU', 'mFscore'], self.nan_to_num,
                                               self.beta)
        classes = list(self.dataset_meta['classes'])
        metrics: Dict[str, float] = {}
        table = PrettyTable(field_names=['class'] + list(_METRICS))
        for i, name in enumerate(classes + ['all']):
            row = []
            for out_name, key in _METRICS.items():
                values = np.asarray(per_class[key], dtype=np.float64)
                value = float(np.nanmean(values)) if name == 'all' else float(values[i])
                metrics[f'{out_name}_{name}'] = value
                row.append(f'{value:.4f}')
            table.add_row([name] + row)
        print_log('Per-class metrics (accumulated over the set; all = mean of the classes):\n'
                  + table.get_string(), logger=MMLogger.get_current_instance())
        return metrics
