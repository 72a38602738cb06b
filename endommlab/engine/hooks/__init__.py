from .polyp_overlay_hook import PolypOverlayHook, draw_overlay
from .safe_checkpoint_hook import SafeCheckpointHook, register_safe_checkpoint_hook

__all__ = ['PolypOverlayHook', 'draw_overlay', 'SafeCheckpointHook', 'register_safe_checkpoint_hook']
from .ensemble_member_mask_hook import EnsembleMemberMaskHook, member_panel

__all__ += ['EnsembleMemberMaskHook', 'member_panel']
