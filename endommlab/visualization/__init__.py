from .polyp_overlay import draw_polyp_overlay

__all__ = ['draw_polyp_overlay']
