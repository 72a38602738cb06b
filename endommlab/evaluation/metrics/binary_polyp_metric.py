"""Shared part of the EndoCV2021 per-image polyp-mask metrics."""
import csv
import os
import os.path as osp
from typing import Dict, List, Optional, Sequence

from mmengine.evaluator import BaseMetric
from mmengine.logging import MMLogger, print_log
from prettytable import PrettyTable

from endommlab.evaluation.functional import (SCORE_KEYS, aggregate_scores, binary_mask_scores,
                                             frame_detection_scores, frame_flags, polyp_masks)


class BinaryPolypMetric(BaseMetric):
    """Scores every image's binary polyp mask, then averages over images.

    The masks come from :func:`~endommlab.evaluation.functional.polyp_masks`
    (semantic or instance predictions). Besides the scores it reports
    ``images`` and ``negatives`` (images whose ground truth has no polyp), and the frame-level
    ``false_alarm_rate`` / ``false_alarm_area`` (over the negatives) and ``detection_rate``
    (over the frames with a polyp) of
    :func:`~endommlab.evaluation.functional.frame_detection_scores`.
    ``per_image_file`` (optional) receives one CSV row of
    scores per image, for challenge submissions and error analysis.
    """

    default_prefix: Optional[str] = 'polyp'

    def __init__(self, polyp_index: int = 1, score_thr: float = 0.0,
                 per_image_file: Optional[str] = None,
                 collect_device: str = 'cpu', prefix: Optional[str] = None) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix)
        self.polyp_index = polyp_index
        self.score_thr = score_thr
        self.per_image_file = per_image_file

    @staticmethod
    def image_record(name: str, gt, pred) -> dict:
        """What :meth:`compute_metrics` needs of one image: pixel scores and frame flags."""
        return dict(name=name, negative=not gt.any(), **binary_mask_scores(gt, pred),
                    **frame_flags(gt, pred))

    def process(self, data_batch: dict, data_samples: Sequence[dict]) -> None:
        for sample in data_samples:
            self.results.append(self.image_record(
                *polyp_masks(sample, self.polyp_index, self.score_thr)))

    def compute_metrics(self, results: List[dict]) -> Dict[str, float]:
        scores = aggregate_scores(results)
        scores.update(images=len(results), negatives=sum(r['negative'] for r in results))
        frames = frame_detection_scores(results)
        scores.update(frames)
        table = PrettyTable(field_names=['images', 'negatives'] + list(SCORE_KEYS)
                            + ['hausdorff_mean'] + list(frames))
        table.add_row([len(results), scores['negatives']]
                      + [f'{scores[k]:.4f}' for k in SCORE_KEYS]
                      + [f"{scores['hausdorff_mean']:.2f}"] + [f'{v:.4f}' for v in frames.values()])
        print_log('EndoCV2021 polyp-mask metrics (per image, averaged; '
                  'hausdorff = mean/max as the toolbox reports it):\n' + table.get_string(),
                  logger=MMLogger.get_current_instance())
        if self.per_image_file:
            os.makedirs(osp.dirname(osp.abspath(self.per_image_file)), exist_ok=True)
            with open(self.per_image_file, 'w', newline='') as f:
                writer = csv.DictWriter(f, fieldnames=['name'] + list(SCORE_KEYS),
                                        extrasaction='ignore')
                writer.writeheader()
                writer.writerows(results)
        return scores
