from .seresnext_encoder import SEResNeXtEncoder

__all__ = ['SEResNeXtEncoder']
