"""Minutes of training behind each validation, for Dice-against-wall-time curves."""
import time
from typing import Optional

from mmengine.hooks import Hook
from mmseg.registry import HOOKS

WALL_CLOCK_KEY = 'val/wall_minutes'


@HOOKS.register_module()
class WallClockHook(Hook):
    """Log ``wall_minutes``, the wall time since training started, with every validation.

    The value is measured when validation ends, so it counts data loading, training and the
    validations so far; ``LoggerHook`` writes it beside the metrics into ``scalars.json``,
    where ``plot_training_curves(..., x='wall_minutes')`` draws the metrics against it. A
    resumed run continues from the last logged value.
    """

    priority = 'NORMAL'  # before LoggerHook (BELOW_NORMAL) writes the validation record

    def __init__(self) -> None:
        self._start: Optional[float] = None
        self._offset = 0.

    def before_train(self, runner) -> None:
        buffer = runner.message_hub.log_scalars.get(WALL_CLOCK_KEY)
        self._offset = float(buffer.current()) if buffer is not None else 0.
        self._start = time.perf_counter()

    def after_val_epoch(self, runner, metrics: Optional[dict] = None) -> None:
        if self._start is None:  # validation outside training
            return
        minutes = self._offset + (time.perf_counter() - self._start) / 60.
        runner.message_hub.update_scalar(WALL_CLOCK_KEY, round(minutes, 3))
