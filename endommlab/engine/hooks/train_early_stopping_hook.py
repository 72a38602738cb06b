"""mmengine's early stopping, usable in test-only runs and kept across resumes."""
from mmengine.hooks import EarlyStoppingHook
from mmengine.registry import HOOKS


@HOOKS.register_module()
class TrainEarlyStoppingHook(EarlyStoppingHook):
    """:class:`mmengine.hooks.EarlyStoppingHook` (same arguments) with two fixes.

    * mmengine's hook checks ``runner.train_loop`` in ``before_run``, which
      builds the training data set even for ``tools/test.py``; this one checks
      it in ``before_train``.
    * Its counters (epochs without improvement, best score) are saved in the
      checkpoint's ``meta`` and restored on ``--resume``, so a resumed run stops
      when an uninterrupted one would.
    """

    def before_run(self, runner) -> None:
        pass

    def before_train(self, runner) -> None:
        super().before_run(runner)

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        checkpoint.setdefault('meta', {})['early_stopping'] = dict(
            monitor=self.monitor, wait_count=self.wait_count, best_score=float(self.best_score))

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        state = checkpoint.get('meta', {}).get('early_stopping')
        if state and state.get('monitor') == self.monitor:
            self.wait_count = int(state['wait_count'])
            self.best_score = float(state['best_score'])
