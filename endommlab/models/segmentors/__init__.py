from .threshold_post_process_segmentor import ThresholdPostProcessSegmentor, threshold_post_process

__all__ = ['ThresholdPostProcessSegmentor', 'threshold_post_process']
