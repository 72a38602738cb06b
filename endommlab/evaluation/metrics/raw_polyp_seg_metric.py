"""EndoCV2021 metrics of the predictions *before* threshold post-processing."""
from typing import Dict, List, Optional, Sequence

from mmengine.logging import MMLogger, print_log
from mmseg.registry import METRICS

from endommlab.errors import DataError
from endommlab.evaluation.functional import polyp_masks
from .binary_polyp_metric import BinaryPolypMetric


@METRICS.register_module()
class RawPolypSegMetric(BinaryPolypMetric):
    """Scores ``raw_sem_seg`` and counts the images the post-processing emptied.

    Pair it with :class:`PolypSegMetric` after a
    :class:`~endommlab.models.segmentors.ThresholdPostProcessSegmentor`: the
    first prints the paper's Table 2 columns with post-processing, this one the
    same columns without it (keys ``raw/...``), plus ``raw/emptied``, the
    number of images whose mask the post-processing set to background, and
    logs their names.
    """

    default_prefix: Optional[str] = 'raw'

    def process(self, data_batch: dict, data_samples: Sequence[dict]) -> None:
        for sample in data_samples:
            if 'raw_sem_seg' not in sample:
                raise DataError('RawPolypSegMetric needs the `raw_sem_seg` predictions of a '
                                'ThresholdPostProcessSegmentor')
            name, gt, pred = polyp_masks(dict(sample, pred_sem_seg=sample['raw_sem_seg']),
                                         self.polyp_index)
            self.results.append(dict(self.image_record(name, gt, pred),
                                     emptied=bool(sample.get('pending_case', False))))

    def compute_metrics(self, results: List[dict]) -> Dict[str, float]:
        emptied = [r['name'] for r in results if r.pop('emptied')]
        logger = MMLogger.get_current_instance()
        print_log(f'threshold post-processing emptied {len(emptied)} of {len(results)} images'
                  + (f": {', '.join(emptied)}" if emptied else ''), logger=logger)
        print_log('the same metrics without threshold post-processing:', logger=logger)
        scores = super().compute_metrics(results)
        scores['emptied'] = len(emptied)
        return scores
