from .divergent_nets import DivergentNets
from .polyp_probability import polyp_logit, polyp_probability
from .threshold_post_process_segmentor import ThresholdPostProcessSegmentor, threshold_post_process
from .tri_unet import TriUNet

__all__ = [
    'ThresholdPostProcessSegmentor',
    'threshold_post_process',
    'DivergentNets',
    'TriUNet',
    'polyp_logit',
    'polyp_probability',
]
