from .divergent_nets import DivergentNets
from .tri_unet import TriUNet

__all__ = ['DivergentNets', 'TriUNet']
