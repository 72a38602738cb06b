"""Data preprocessors and the batch augmentations they apply."""
from .batch_aug_seg_data_preprocessor import BatchAugSegDataPreProcessor
from .multi_scale_batch_resize import MultiScaleBatchResize

__all__ = ['BatchAugSegDataPreProcessor', 'MultiScaleBatchResize']
