"""Warn when a training epoch cannot teach anything: no positive pixel, or a loss that is flat."""
from typing import List, Optional

from mmengine.hooks import Hook
from mmengine.registry import HOOKS


@HOOKS.register_module()
class DegenerateTrainingHook(Hook):
    """Log a warning after a training epoch in which

    * no ground-truth mask of a segmentation batch held a polyp pixel (every mask empty:
      masks saved as 0/255 where 0/1 is read, the wrong mask folder, a threshold that
      erased them), or
    * the loss did not move (its range over the epoch below ``tolerance``).

    Measured before it existed: a training set whose masks were all empty trained two epochs
    at a constant loss of 1.0000 without a word. ``tools/train.py`` registers it for every
    config.
    """

    priority = 'LOW'

    def __init__(self, tolerance: float = 1e-6) -> None:
        self.tolerance = tolerance
        self._positive = 0
        self._segmentation = False
        self._losses: List[float] = []

    def before_train_epoch(self, runner) -> None:
        self._positive, self._segmentation, self._losses = 0, False, []

    def after_train_iter(self, runner, batch_idx: int, data_batch: Optional[dict] = None,
                         outputs: Optional[dict] = None) -> None:
        for sample in (data_batch or {}).get('data_samples', []):
            seg = getattr(sample, 'gt_sem_seg', None)
            if seg is not None:
                self._segmentation = True
                labels = seg.data
                self._positive += int(((labels > 0) & (labels != 255)).sum())
        if outputs and 'loss' in outputs:
            loss = outputs['loss']
            self._losses.append(float(loss.detach() if hasattr(loss, 'detach') else loss))

    def after_train_epoch(self, runner) -> None:
        epoch = runner.epoch + 1  # the loop counts it after the hooks ran
        if self._segmentation and self._positive == 0:
            runner.logger.warning(
                f'epoch {epoch}: no ground-truth mask of the training set held a polyp pixel; '
                'the model can only learn to predict background (are the masks 0/1 as the '
                'converters write them, and is the mask folder the right one?)')
        if len(self._losses) > 1 and max(self._losses) - min(self._losses) < self.tolerance:
            runner.logger.warning(
                f'epoch {epoch}: the loss did not move ({self._losses[0]:.4f} at every one of '
                f'{len(self._losses)} iterations); nothing is being learned')


def register_degenerate_training_hook(runner) -> None:
    """Add :class:`DegenerateTrainingHook` to a training ``runner`` unless it has one."""
    if not any(isinstance(h, DegenerateTrainingHook) for h in runner.hooks):
        runner.register_hook(DegenerateTrainingHook(), priority=DegenerateTrainingHook.priority)
