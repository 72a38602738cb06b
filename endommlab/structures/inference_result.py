"""What inference returns for one image or video frame."""
from dataclasses import dataclass
from typing import Optional, Sequence

import numpy as np


def polyp_region_score(probability: np.ndarray) -> float:
    """Frame score of a polyp probability map: the mean probability of the pixels the network
    calls polyp (p > 0.5), 0 when there is none.

    The maximum probability saturates near 1 on frames with and without a polyp alike; the
    region mean spreads them apart (docs/inference_deployment.md has the measurement).
    """
    region = probability[probability > 0.5]
    return float(region.mean()) if region.size else 0.0


@dataclass
class InferenceResult:
    """Prediction of one image, at its original size.

    Attributes:
        name: the image's path (or ``frame <i>`` of a video, ``image_<i>`` of an array).
        mask: boolean polyp mask ``(H, W)`` (segmentors; the union of the instances
            for instance segmentation); None for classifiers.
        probability: polyp probability map ``(H, W)`` (semantic segmentors).
        score: :func:`polyp_region_score` of the probability before any post-processing
            (semantic segmentors), the best instance score (instances) or the top class
            probability (classifiers).
        pending_case: whether threshold post-processing emptied the mask.
        instances: ``boxes`` ``(N, 4)`` xyxy, ``scores`` ``(N,)``, ``masks`` ``(N, H, W)``.
        class_scores: class probabilities (classifiers); ``pred_label`` / ``pred_class``
            the top one and its name.
        ms: time spent on the image (decoding, pre-processing, network,
            post-processing), in milliseconds.
    """

    name: str
    mask: Optional[np.ndarray] = None
    probability: Optional[np.ndarray] = None
    score: float = 0.0
    pending_case: Optional[bool] = None
    instances: Optional[dict] = None
    class_scores: Optional[np.ndarray] = None
    pred_label: Optional[int] = None
    pred_class: Optional[str] = None
    ms: float = 0.0
    index: int = 0

    @classmethod
    def for_classes(cls, name: str, scores: np.ndarray,
                    classes: Optional[Sequence[str]] = None) -> 'InferenceResult':
        """Result of a classifier from its class probabilities."""
        label = int(np.argmax(scores))
        return cls(name=name, class_scores=scores, score=float(scores[label]), pred_label=label,
                   pred_class=str(classes[label]) if classes else str(label))

    @property
    def polyp(self) -> Optional[bool]:
        """Whether a polyp was found (None for classifiers)."""
        return None if self.mask is None else bool(self.mask.any())

    @property
    def area(self) -> Optional[int]:
        """Polyp area in pixels (None for classifiers)."""
        return None if self.mask is None else int(self.mask.sum())

    def summary(self) -> dict:
        """One row of the per-frame table: index, name, polyp, area, score, class, ms."""
        row = dict(index=self.index, name=self.name)
        if self.mask is not None:
            row.update(polyp=self.polyp, area=self.area,
                       area_fraction=round(self.area / self.mask.size, 6))
        row['score'] = round(self.score, 6)
        if self.pending_case is not None:
            row['pending_case'] = self.pending_case
        if self.instances is not None:
            row['instances'] = len(self.instances['scores'])
        if self.pred_class is not None:
            row.update(pred_label=self.pred_label, pred_class=self.pred_class)
        row['ms'] = round(self.ms, 3)
        return row
