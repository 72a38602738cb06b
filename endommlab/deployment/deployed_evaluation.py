"""EndoCV2021 scores of exported models on a converted data set, image by image."""
from typing import Callable, Dict, List, Optional

import cv2
import numpy as np

from endommlab.datasets import PolypSegDataset
from endommlab.errors import ConfigError, DataError
from endommlab.evaluation.functional.polyp_metrics import aggregate_scores, binary_mask_scores
from endommlab.structures import load_image
from .deploy_meta import POLYP_LOGITS
from .deploy_model import DeployModel


def split_samples(root: str, split: str) -> List[dict]:
    """``img_path`` / ``seg_map_path`` of ``root/splits/<split>.txt`` (a converted set).

    Raises:
        DataRootNotFoundError, DataError: as :class:`PolypSegDataset` does.
    """
    dataset = PolypSegDataset(data_root=root, ann_file=f'splits/{split}.txt', pipeline=[],
                              lazy_init=False)
    return [dataset.get_data_info(i) for i in range(len(dataset))]


def evaluate_deployed(models: Dict[str, DeployModel], samples: List[dict],
                      progress: Optional[Callable[[], object]] = None) -> Dict[str, dict]:
    """Scores of each model on ``samples``: what ``PolypSegMetric`` reports, and timing.

    Every model sees the same decoded image; its mask (original size) is scored
    against the 0/1 ground truth with :func:`binary_mask_scores` and the set with
    :func:`aggregate_scores` (EndoCV2021). Also ``ms`` (mean pre-processing +
    network + post-processing, decoding excluded), ``fps`` and, for every model
    after the first, ``agreement``: the fraction of pixels where its mask equals
    the first model's.

    Raises:
        ConfigError: a model is not a polyp segmentor.
        DataError: an image or mask cannot be read, or their sizes differ.
    """
    for name, model in models.items():
        if model.meta['output'] != POLYP_LOGITS:
            raise ConfigError(f'{name}: only segmentation models can be scored on masks')
    scores = {name: [] for name in models}
    times = {name: [] for name in models}
    same = {name: 0 for name in models}
    pixels = 0
    for sample in samples:
        image = load_image(sample['img_path'])
        gt = cv2.imread(sample['seg_map_path'], cv2.IMREAD_GRAYSCALE)
        if gt is None or gt.shape != image.shape[:2]:
            raise DataError(f"{sample['seg_map_path']}: unreadable, or not the size of its image")
        first = None
        for name, model in models.items():
            result = model(image)
            scores[name].append(binary_mask_scores(gt > 0, result.mask))
            times[name].append(result.ms)
            first = result.mask if first is None else first
            same[name] += int(np.count_nonzero(result.mask == first))
        pixels += gt.size
        if progress:
            progress()
    out = {}
    for name in models:
        ms = float(np.mean(times[name]))
        out[name] = dict(aggregate_scores(scores[name]), images=len(samples), ms=ms,
                         fps=1000 / ms, agreement=same[name] / pixels)
    return out
