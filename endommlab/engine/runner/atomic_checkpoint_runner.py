"""mmengine's Runner with checkpoints written atomically."""
import os
import os.path as osp

from mmengine.registry import RUNNERS
from mmengine.runner import Runner

PARTIAL_SUFFIX = '.part'


@RUNNERS.register_module()
class AtomicCheckpointRunner(Runner):
    """A :class:`~mmengine.runner.Runner` whose checkpoints appear whole or not at all.

    mmengine writes a checkpoint straight into its final file, so a run killed while saving
    leaves a truncated ``epoch_N.pth`` that ``--resume`` then picks. Here the checkpoint is
    written to ``<name>.part`` and renamed when complete (``os.replace`` is atomic on one file
    system). ``tools/train.py`` and ``tools/test.py`` build this runner unless a config names
    its own ``runner_type``.
    """

    def save_checkpoint(self, out_dir: str, filename: str, *args, **kwargs) -> None:
        super().save_checkpoint(out_dir, filename + PARTIAL_SUFFIX, *args, **kwargs)
        partial = osp.join(out_dir, filename + PARTIAL_SUFFIX)
        if osp.isfile(partial):  # a local file system (remote backends write in one request)
            os.replace(partial, osp.join(out_dir, filename))
