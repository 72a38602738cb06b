"""Each ensemble member's polyp mask, saved during testing (DivergentNets paper, Fig. 4)."""
import os
import os.path as osp
from typing import List, Optional, Sequence

import cv2
import numpy as np
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper
from mmengine.registry import HOOKS

from endommlab.errors import ConfigError
from endommlab.evaluation.functional import polyp_masks, to_numpy
from .polyp_overlay_hook import draw_overlay


def member_panel(image: np.ndarray, gt: np.ndarray, masks: Sequence[np.ndarray],
                 names: Sequence[str], height: int = 256) -> np.ndarray:
    """One row of overlays (prediction red, truth green, Dice/IoU caption), each titled."""
    tiles: List[np.ndarray] = []
    for mask, name in zip(masks, names):
        tile = draw_overlay(image, gt, mask.astype(bool))
        tile = cv2.resize(tile, (round(tile.shape[1] * height / tile.shape[0]), height),
                          interpolation=cv2.INTER_AREA)
        title = np.full((28, tile.shape[1], 3), 255, np.uint8)
        cv2.putText(title, name, (6, 20), cv2.FONT_HERSHEY_SIMPLEX, 0.55, (0, 0, 0), 1,
                    cv2.LINE_AA)
        tiles.append(np.vstack([title, tile]))
    return np.hstack(tiles)


@HOOKS.register_module()
class EnsembleMemberMaskHook(Hook):
    """Write every member's mask and one overlay row per test image of an ensemble.

    For a model with ``member_names`` (:class:`~endommlab.models.DivergentNets`)
    and ``out_dir`` set, the hook turns on ``test_cfg.member_masks`` and writes
    ``<out_dir>/<member>/<image>.png`` (0/255 masks at the original size) and
    ``<out_dir>/overlay/<image>.png``: the overlay of each member, then of the
    ensemble (the picture of the paper's Fig. 4). ``out_dir=None`` does nothing,
    so configs can list the hook and ``--cfg-options custom_hooks.0.out_dir=DIR``
    switches it on.
    """

    priority = 'LOW'

    def __init__(self, out_dir: Optional[str] = None, height: int = 256) -> None:
        self.out_dir = out_dir
        self.height = height
        self.names: List[str] = []

    def before_test(self, runner) -> None:
        if not self.out_dir:
            return
        model = runner.model.module if is_model_wrapper(runner.model) else runner.model
        if not hasattr(model, 'member_names'):
            raise ConfigError(f'EnsembleMemberMaskHook needs an ensemble model (with '
                              f'`member_names`), got {type(model).__name__}')
        model.test_cfg['member_masks'] = True
        self.names = list(model.member_names)
        for sub in self.names + ['overlay']:
            os.makedirs(osp.join(self.out_dir, sub), exist_ok=True)

    def after_test_iter(self, runner, batch_idx: int, data_batch: Optional[dict] = None,
                        outputs: Optional[Sequence] = None) -> None:
        if not self.out_dir:
            return
        for sample in outputs or []:
            d = sample.to_dict()
            name, gt, pred = polyp_masks(d)
            stem = osp.splitext(name)[0]
            masks = to_numpy(d['member_sem_seg']['data']).astype(bool)
            for member, mask in zip(self.names, masks):
                cv2.imwrite(osp.join(self.out_dir, member, stem + '.png'),
                            mask.astype(np.uint8) * 255)
            image = cv2.imread(d['img_path'], cv2.IMREAD_COLOR)
            panel = member_panel(image, gt, list(masks) + [pred], self.names + ['ensemble'],
                                 self.height)
            cv2.imwrite(osp.join(self.out_dir, 'overlay', stem + '.png'), panel)
