from .nanonet_head import NanoNetHead
from .nanonet_residual_block import NanoNetResidualBlock
from .reverse_attention_head import ReverseAttentionHead, reverse_attention

__all__ = [
    'NanoNetHead',
    'NanoNetResidualBlock',
    'ReverseAttentionHead',
    'reverse_attention',
]
