from .albu import AlbuSeg

__all__ = ['AlbuSeg']
