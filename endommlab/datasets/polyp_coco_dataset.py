"""Polyp instances in COCO format (MMDetection), as the converters write them."""
from typing import List

from mmdet.datasets import CocoDataset
from mmdet.registry import DATASETS

from .converters.image_mask_pairs import OUTPUT_SUFFIXES
from .data_root import check_data_root, find_files


@DATASETS.register_module()
class PolypCocoDataset(CocoDataset):
    """One class, ``polyp``; one instance per connected polyp region (RLE masks).

    Negatives (images without polyp) are listed in the annotation file; the
    training config drops them with ``filter_cfg=dict(filter_empty_gt=True)``
    as Mask R-CNN needs a target, evaluation keeps them. Image files missing
    from ``images/`` are reported when the data set is built.
    """

    METAINFO = dict(classes=('polyp', ), palette=[(255, 0, 0)])

    def load_data_list(self) -> List[dict]:
        check_data_root(self.data_root, self.ann_file)
        data_list = super().load_data_list()
        find_files(data_list, dict(img_path=OUTPUT_SUFFIXES), self.ann_file, self.data_root)
        return data_list
