"""Redraw a run's validation and training curves after every validation."""
import os.path as osp
from typing import Optional, Sequence

from mmengine.hooks import Hook
from mmengine.registry import HOOKS

from endommlab.utils import plot_training_curves


@HOOKS.register_module()
class TrainingCurveHook(Hook):
    """Save ``<log_dir>/curves.png`` from the run's ``vis_data/scalars.json``.

    Runs after ``LoggerHook`` has written the validation metrics, so the PNG
    always shows the curve up to the latest validation: ``val_keys`` per
    epoch (e.g. ``polyp/dice``) and ``train_keys`` per iteration (``loss``).
    ``tools/analysis_tools/plot_curves.py`` draws the same figure afterwards.
    """

    priority = 'LOW'

    def __init__(self, val_keys: Sequence[str] = ('polyp/dice', ),
                 train_keys: Sequence[str] = ('loss', ), out_file: Optional[str] = None) -> None:
        self.val_keys = tuple(val_keys)
        self.train_keys = tuple(train_keys)
        self.out_file = out_file
        self._warned = False

    def after_val_epoch(self, runner, metrics: Optional[dict] = None) -> None:
        scalars = osp.join(runner.log_dir, 'vis_data', 'scalars.json')
        if not osp.isfile(scalars):  # no LocalVisBackend (e.g. TensorBoard instead)
            if not self._warned:
                runner.logger.warning(f'TrainingCurveHook: {scalars} is not written (the '
                                      'visualizer has no LocalVisBackend); no curves.png')
                self._warned = True
            return
        plot_training_curves(scalars, self.out_file or osp.join(runner.log_dir, 'curves.png'),
                             self.val_keys, self.train_keys)
