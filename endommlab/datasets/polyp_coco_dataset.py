"""Polyp instances in COCO format (MMDetection), as the converters write them."""
from typing import List

from mmdet.datasets import CocoDataset
from mmdet.registry import DATASETS

from .data_root import check_data_root


@DATASETS.register_module()
class PolypCocoDataset(CocoDataset):
    """One class, ``polyp``; one instance per connected polyp region (RLE masks).

    Negatives (images without polyp) are listed in the annotation file; the
    training config drops them with ``filter_cfg=dict(filter_empty_gt=True)``
    as Mask R-CNN needs a target, evaluation keeps them.
    """

    METAINFO = dict(classes=('polyp', ), palette=[(255, 0, 0)])

    def load_data_list(self) -> List[dict]:
        check_data_root(self.data_root, self.ann_file)
        return super().load_data_list()
