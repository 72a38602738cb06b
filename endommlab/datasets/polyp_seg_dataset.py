"""Binary polyp segmentation data set in EndoMMLab's MMSegmentation layout."""
import os.path as osp
from typing import List

from mmseg.datasets import BaseSegDataset
from mmseg.registry import DATASETS

from endommlab.errors import DataError
from .data_root import check_data_root


@DATASETS.register_module()
class PolypSegDataset(BaseSegDataset):
    """Images ``images/<stem>.jpg``, masks ``masks/<stem>.png`` (0/1), split files of stems.

    Written by ``tools/dataset_converters/kvasir_seg.py``,
    ``images_masks.py`` (any images + masks folder: CVC-ClinicDB, PolypGen,
    ETIS, EndoTect ...) and ``make_demo_data.py``. Images with an empty mask
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
        missing = [d['img_path'] for d in data_list if not osp.isfile(d['img_path'])]
        missing += [d['seg_map_path'] for d in data_list
                    if d.get('seg_map_path') and not osp.isfile(d['seg_map_path'])]
        if missing:
            raise DataError(f'{len(missing)} files named by {self.ann_file} are missing, e.g. '
                            f'{missing[:3]}: re-run the converter that wrote {self.data_root}')
        if not data_list:
            raise DataError(f'{self.ann_file or self.data_root} lists no images')
        return data_list
