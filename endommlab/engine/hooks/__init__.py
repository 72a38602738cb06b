from .polyp_overlay_hook import PolypOverlayHook, draw_overlay
from .safe_checkpoint_hook import SafeCheckpointHook, register_safe_checkpoint_hook

__all__ = ['PolypOverlayHook', 'draw_overlay', 'SafeCheckpointHook', 'register_safe_checkpoint_hook']

from .trimming_hook import TrimmingHook, save_trimmed, trim_classifier, trimmed_head  # noqa: E402

__all__ += ['TrimmingHook', 'save_trimmed', 'trim_classifier', 'trimmed_head']
