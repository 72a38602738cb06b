"""Write checkpoints that ``torch.load(weights_only=True)`` can resume."""
from typing import Optional

from mmengine.hooks import Hook
from mmengine.registry import HOOKS

from endommlab.utils.checkpoint import decode_safe, encode_safe


@HOOKS.register_module()
class SafeCheckpointHook(Hook):
    """Encode the runner state of a checkpoint into tensors and plain values.

    mmengine stores ``message_hub`` as ``HistoryBuffer`` objects and numpy
    values, which torch >= 2.6 refuses to unpickle with ``weights_only=True``.
    Before saving, every such object is rewritten by
    :func:`~endommlab.utils.checkpoint.encode_safe`; after loading it is
    restored, so resuming works with the safe loader. Runs last on save
    (``VERY_LOW`` priority) so it also covers what other hooks add.
    ``tools/train.py`` registers it for every config.
    """

    priority = 'VERY_LOW'

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        checkpoint.update(encode_safe({k: v for k, v in checkpoint.items() if k != 'state_dict'}))

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        decode_safe(checkpoint)


def register_safe_checkpoint_hook(runner, priority: Optional[str] = None) -> None:
    """Add :class:`SafeCheckpointHook` to ``runner`` unless the config has it."""
    if not any(isinstance(h, SafeCheckpointHook) for h in runner.hooks):
        runner.register_hook(SafeCheckpointHook(), priority=priority or SafeCheckpointHook.priority)
