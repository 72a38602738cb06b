"""Binary polyp masks (ground truth, prediction) of one evaluated data sample."""
import os.path as osp
from typing import Tuple

import numpy as np

from endommlab.errors import DataError
from endommlab.models.segmentors import polyp_probability


def to_numpy(data) -> np.ndarray:
    """A tensor or array as a numpy array."""
    return data.detach().cpu().numpy() if hasattr(data, 'detach') else np.asarray(data)


def _plane(data) -> np.ndarray:
    data = to_numpy(data)
    return data[0] if data.ndim == 3 else data


def union_of_instances(masks, shape: Tuple[int, int]) -> np.ndarray:
    """Union of instance masks (tensor ``N x H x W``, Bitmap/PolygonMasks or none)."""
    if masks is None or len(masks) == 0:
        return np.zeros(shape, dtype=bool)
    if hasattr(masks, 'to_ndarray'):
        masks = masks.to_ndarray()
    return to_numpy(masks).astype(bool).any(axis=0)


def polyp_masks(sample: dict, polyp_index: int = 1,
                score_thr: float = 0.0) -> Tuple[str, np.ndarray, np.ndarray]:
    """``(image name, gt, pred)`` boolean masks at the original image size.

    Segmentation samples (``pred_sem_seg``): the pixels labelled
    ``polyp_index``. Instance samples (``pred_instances``): the union of the
    instances scoring at least ``score_thr``, against the union of the
    annotated instances.
    """
    name = osp.basename(sample.get('img_path', ''))
    if 'pred_sem_seg' in sample:
        gt = _plane(sample['gt_sem_seg']['data']) == polyp_index
        return name, gt, _plane(sample['pred_sem_seg']['data']) == polyp_index
    if 'pred_instances' not in sample:
        raise DataError('a polyp-mask metric needs `pred_sem_seg` or `pred_instances` predictions')
    shape = tuple(sample['ori_shape'])
    if 'masks' not in sample.get('gt_instances', {}):
        raise DataError('polyp-mask metrics need ground-truth masks: load them with '
                        "dict(type='LoadAnnotations', with_mask=True) in the test pipeline")
    gt = union_of_instances(sample['gt_instances']['masks'], shape)
    pred = sample['pred_instances']
    masks = pred.get('masks')
    if masks is not None and len(masks):
        masks = masks[np.flatnonzero(to_numpy(pred['scores']).reshape(-1) >= score_thr)]
    return name, gt, union_of_instances(masks, shape)


def sample_polyp_probability(sample: dict, polyp_index: int = 1,
                             score_thr: float = 0.0) -> Tuple[np.ndarray, np.ndarray]:
    """``(gt, prob)``: boolean ground truth and polyp probability map in [0, 1].

    Segmentation samples: :func:`~endommlab.models.segmentors.polyp_probability`
    of ``seg_logits``, all zero where a threshold post-processing emptied the
    image (``pending_case``). Instance samples: at each pixel the highest score of
    the instances (scoring at least ``score_thr``) covering it, 0 elsewhere.
    """
    _, gt, _ = polyp_masks(sample, polyp_index, score_thr)
    if 'pred_sem_seg' in sample:
        if 'seg_logits' not in sample:
            raise DataError('probability metrics need the `seg_logits` of the predictions')
        prob = to_numpy(polyp_probability(sample['seg_logits']['data'].float(), polyp_index))
        return gt, np.zeros_like(prob) if sample.get('pending_case', False) else prob
    pred = sample['pred_instances']
    prob = np.zeros(gt.shape, dtype=np.float32)
    masks = pred.get('masks')
    if masks is None or not len(masks):
        return gt, prob
    for mask, score in zip(to_numpy(masks).astype(bool), to_numpy(pred['scores']).reshape(-1)):
        if score >= score_thr:
            prob[mask] = np.maximum(prob[mask], score)
    return gt, prob
