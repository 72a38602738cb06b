from .hyperkvasir_dataset import HyperKvasirDataset
from .polyp_coco_dataset import PolypCocoDataset
from .polyp_seg_dataset import PolypSegDataset
from .transforms import *  # noqa: F401,F403

__all__ = [
    'HyperKvasirDataset',
    'PolypCocoDataset',
    'PolypSegDataset',
]
