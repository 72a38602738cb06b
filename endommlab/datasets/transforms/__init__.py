from .albu import AlbuSeg
from .cached_transforms import CachedTransforms, uncached_steps

__all__ = ['AlbuSeg', 'CachedTransforms', 'uncached_steps']
