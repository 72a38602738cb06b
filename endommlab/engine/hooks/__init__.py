from .channels_last_hook import ChannelsLastHook
from .degenerate_training_hook import DegenerateTrainingHook, register_degenerate_training_hook
from .ensemble_member_mask_hook import EnsembleMemberMaskHook, member_panel
from .ordered_checkpoint_hook import OrderedCheckpointHook
from .polyp_overlay_hook import PolypOverlayHook, draw_overlay
from .safe_checkpoint_hook import SafeCheckpointHook, register_safe_checkpoint_hook
from .train_early_stopping_hook import TrainEarlyStoppingHook
from .training_curve_hook import TrainingCurveHook
from .trimming_hook import TrimmingHook, save_trimmed, trim_classifier, trimmed_head
from .wall_clock_hook import WallClockHook
from .weight_init_check_hook import WeightInitCheckHook, register_weight_init_check_hook

__all__ = [
    'ChannelsLastHook',
    'DegenerateTrainingHook',
    'register_degenerate_training_hook',
    'OrderedCheckpointHook',
    'PolypOverlayHook',
    'draw_overlay',
    'SafeCheckpointHook',
    'register_safe_checkpoint_hook',
    'TrainEarlyStoppingHook',
    'TrainingCurveHook',
    'TrimmingHook',
    'save_trimmed',
    'trim_classifier',
    'trimmed_head',
    'EnsembleMemberMaskHook',
    'member_panel',
    'WallClockHook',
    'WeightInitCheckHook',
    'register_weight_init_check_hook',
]
