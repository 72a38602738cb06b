"""Binary polyp segmentation data set in EndoMMLab's MMSegmentation layout."""
from typing import List

from mmseg.datasets import BaseSegDataset
from mmseg.registry import DATASETS

from endommlab.errors import DataError
from .converters.image_mask_pairs import OUTPUT_SUFFIXES
from .data_root import check_data_root, find_files


@DATASETS.register_module()
class PolypSegDataset(BaseSegDataset):
    """Images ``images/<stem>.jpg``, masks ``masks/<stem>.png`` (0/1), split files of stems.

    Written by ``tools/dataset_converters/kvasir_seg.py``, ``images_masks.py``
    (any images + masks folder: CVC-ClinicDB, PolypGen, ETIS, EndoTect ...)
    and ``make_demo_data.py``; a stem without ``<stem><img_suffix>`` uses its
    ``.png`` or ``.jpg`` image, so a set converted to either works with every
    config. Images with an empty mask
    are negatives and stay in the set. A missing data root or a split that
    names absent files is reported when the data set is built, with the
    converter to run, not later inside the training loop.
    """

    METAINFO = dict(classes=('background', 'polyp'), palette=[[0, 0, 0], [255, 0, 0]])

    def __init__(self, img_suffix: str = '.jpg', seg_map_suffix: str = '.png',
                 data_prefix: dict = dict(img_path='images', seg_map_path='masks'),
                 **kwargs) -> None:
        super().__init__(img_suffix=img_suffix, seg_map_suffix=seg_map_suffix,
                         data_prefix=data_prefix, reduce_zero_label=False, **kwargs)

    def load_data_list(self) -> List[dict]:
        check_data_root(self.data_root, self.ann_file)
        data_list = super().load_data_list()
        find_files(data_list, dict(img_path=OUTPUT_SUFFIXES, seg_map_path=()), self.ann_file,
                   self.data_root)
        if not data_list:
            raise DataError(f'{self.ann_file or self.data_root} lists no images')
        return data_list
