from .deeplabv3_head import DeepLabV3Head
from .deeplabv3_plus_head import DeepLabV3PlusHead
from .nanonet_head import NanoNetHead
from .nanonet_residual_block import NanoNetResidualBlock
from .reverse_attention_head import ReverseAttentionHead, reverse_attention
from .semantic_fpn_head import SemanticFPNHead
from .unet_head import UNetHead
from .unet_plusplus_head import UNetPlusPlusHead

__all__ = [
    'NanoNetHead',
    'NanoNetResidualBlock',
    'ReverseAttentionHead',
    'reverse_attention',
    'DeepLabV3Head',
    'DeepLabV3PlusHead',
    'SemanticFPNHead',
    'UNetHead',
    'UNetPlusPlusHead',
]
