from .albu import AlbuSeg
from .cached_transforms import CachedTransforms

__all__ = ['AlbuSeg', 'CachedTransforms']
