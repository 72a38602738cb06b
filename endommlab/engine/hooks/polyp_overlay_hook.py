"""Pictures of predicted vs ground-truth polyp masks, written during testing."""
import os
import os.path as osp
from typing import Optional, Sequence

import cv2
import numpy as np
from mmengine.hooks import Hook
from mmengine.registry import HOOKS

from endommlab.evaluation.functional import binary_mask_scores, polyp_masks
from endommlab.visualization import draw_polyp_overlay


def draw_overlay(image: np.ndarray, gt: np.ndarray, pred: np.ndarray,
                 alpha: float = 0.4) -> np.ndarray:
    """BGR picture: prediction filled red, its outline red, ground-truth outline green.

    A caption gives the image's Dice and Jaccard.
    """
    s = binary_mask_scores(gt, pred)
    return draw_polyp_overlay(image, pred, gt, alpha=alpha, caption=(
        f"Dice {s['dice']:.3f}  IoU {s['jaccard']:.3f}  (green: truth, red: prediction)"))


@HOOKS.register_module()
class PolypOverlayHook(Hook):
    """Write ``<out_dir>/<image name>.png`` for every test image.

    Works for semantic (MMSegmentation) and instance (MMDetection) polyp
    predictions alike, through :func:`~endommlab.evaluation.functional.polyp_masks`.
    ``tools/test.py --show-dir DIR`` adds it.
    """

    def __init__(self, out_dir: str, polyp_index: int = 1, score_thr: float = 0.0) -> None:
        self.out_dir = out_dir
        self.polyp_index = polyp_index
        self.score_thr = score_thr

    def before_test(self, runner) -> None:
        os.makedirs(self.out_dir, exist_ok=True)

    def after_test_iter(self, runner, batch_idx: int, data_batch: Optional[dict] = None,
                        outputs: Optional[Sequence] = None) -> None:
        for sample in outputs or []:
            d = sample.to_dict() if hasattr(sample, 'to_dict') else sample
            name, gt, pred = polyp_masks(d, self.polyp_index, self.score_thr)
            image = cv2.imread(d['img_path'], cv2.IMREAD_COLOR)
            cv2.imwrite(osp.join(self.out_dir, osp.splitext(name)[0] + '.png'),
                        draw_overlay(image, gt, pred))
