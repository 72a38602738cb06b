from .polyp_coco_dataset import PolypCocoDataset
from .polyp_seg_dataset import PolypSegDataset

__all__ = ['PolypCocoDataset', 'PolypSegDataset']
from .transforms import *  # noqa: F401,F403
