"""The PraNet evaluation protocol on polyp probability maps, with ``pysodmetrics``."""
from typing import Dict, List, Optional, Sequence

import numpy as np
import py_sod_metrics as sod
from mmengine.evaluator import BaseMetric
from mmengine.registry import METRICS

from endommlab.evaluation.functional import sample_polyp_probability

#: Keys of :class:`PraNetMetric`, in the column order of PraNet's tables.
PRANET_KEYS = ('mdice', 'miou', 'wfm', 'sm', 'mem', 'mae')


@METRICS.register_module()
class PraNetMetric(BaseMetric):
    """Mean Dice, mean IoU, weighted F, S-measure, mean E-measure and MAE.

    Fan et al., "PraNet: Parallel Reverse Attention Network for Polyp
    Segmentation" (MICCAI 2020), Table 1, as their MATLAB evaluation computes
    it and every polyp paper since reports it: each image's polyp probability
    map (:func:`~endommlab.evaluation.functional.sample_polyp_probability`, at the
    original size) is stored as an 8-bit grey image and min-max normalised;
    ``mdice``/``miou`` are the per-image Dice/IoU averaged over the 256
    thresholds ``>= 255 ... >= 0`` and then over images, ``wfm`` is Margolin
    et al.'s weighted F-measure (0 on an image without polyp), ``sm``
    Fan et al.'s S-measure (alpha 0.5), ``mem`` the E-measure averaged over
    thresholds, ``mae`` the mean absolute error. All come from the
    ``pysodmetrics`` package (``py_sod_metrics``), not from this project.
    """

    default_prefix: Optional[str] = 'pranet'

    def __init__(self, polyp_index: int = 1, score_thr: float = 0.0,
                 collect_device: str = 'cpu', prefix: Optional[str] = None) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix)
        self.polyp_index = polyp_index
        self.score_thr = score_thr

    def process(self, data_batch: dict, data_samples: Sequence[dict]) -> None:
        for sample in data_samples:
            gt, prob = sample_polyp_probability(sample, self.polyp_index, self.score_thr)
            self.results.append((np.round(np.clip(prob, 0, 1) * 255).astype(np.uint8),
                                 gt.astype(np.uint8) * 255))

    def compute_metrics(self, results: List[tuple]) -> Dict[str, float]:
        overlap = sod.FmeasureV2(metric_handlers=dict(
            dice=sod.DICEHandler(with_dynamic=True, with_adaptive=False),
            iou=sod.IOUHandler(with_dynamic=True, with_adaptive=False)))
        measures = dict(wfm=sod.WeightedFmeasure(), sm=sod.Smeasure(), em=sod.Emeasure(),
                        mae=sod.MAE())
        for pred, gt in results:
            overlap.step(pred=pred, gt=gt)
            for measure in measures.values():
                measure.step(pred=pred, gt=gt)
        curves = overlap.get_results()
        out = {name: m.get_results()[name] for name, m in measures.items()}
        return dict(mdice=float(curves['dice']['dynamic'].mean()),
                    miou=float(curves['iou']['dynamic'].mean()), wfm=float(out['wfm']),
                    sm=float(out['sm']), mem=float(out['em']['curve'].mean()),
                    mae=float(out['mae']))
