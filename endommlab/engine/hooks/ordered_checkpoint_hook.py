"""CheckpointHook that deletes old checkpoints only after the new one is written."""
from mmengine.dist import is_main_process
from mmengine.hooks import CheckpointHook
from mmengine.registry import HOOKS


@HOOKS.register_module()
class OrderedCheckpointHook(CheckpointHook):
    """mmengine's ``CheckpointHook``, but ``max_keep_ckpts`` removes the oldest checkpoint
    after the new one is saved.

    mmengine deletes first: with ``max_keep_ckpts=1`` a run killed while saving is left with
    no training checkpoint at all (only ``best_*.pth``, which holds no optimizer state).
    Combined with :class:`~endommlab.engine.runner.AtomicCheckpointRunner`, a complete
    checkpoint exists at every moment.
    """

    def _save_checkpoint_with_step(self, runner, step, meta) -> None:
        stale = None
        if self.max_keep_ckpts > 0 and not (self.keep_ckpt_ids and self.keep_ckpt_ids[-1] == step):
            if len(self.keep_ckpt_ids) == self.max_keep_ckpts:
                stale = self.keep_ckpt_ids.popleft()
            self.keep_ckpt_ids.append(step)
            runner.message_hub.update_info('keep_ckpt_ids', list(self.keep_ckpt_ids))
        max_keep, self.max_keep_ckpts = self.max_keep_ckpts, -1  # the parent deletes nothing
        try:
            super()._save_checkpoint_with_step(runner, step, meta)
        finally:
            self.max_keep_ckpts = max_keep
        if stale is not None and is_main_process():
            path = self.file_backend.join_path(self.out_dir, self.filename_tmpl.format(stale))
            if self.file_backend.isfile(path):
                self.file_backend.remove(path)
