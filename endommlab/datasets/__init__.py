from .polyp_coco_dataset import PolypCocoDataset
from .polyp_seg_dataset import PolypSegDataset

__all__ = ['PolypCocoDataset', 'PolypSegDataset']

from .hyperkvasir_dataset import HyperKvasirDataset  # noqa: E402

__all__ += ['HyperKvasirDataset']
