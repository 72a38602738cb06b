from .nanonet_head import NanoNetHead
from .nanonet_residual_block import NanoNetResidualBlock

__all__ = ['NanoNetHead', 'NanoNetResidualBlock']
