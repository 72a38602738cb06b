"""Binary masks → COCO instance annotations (one instance per connected region)."""
import copy
from typing import List

import cv2
import numpy as np
from pycocotools import mask as mask_utils


def mask_to_instances(mask: np.ndarray, min_area: int = 1) -> List[dict]:
    """Connected polyp regions (8-connectivity) of a 0/1 mask.

    Each instance: ``bbox`` ``[x, y, w, h]`` (COCO, inclusive pixel extent),
    ``area`` in pixels and an RLE ``segmentation`` that reproduces the region
    exactly. Regions smaller than ``min_area`` pixels are not instances.
    """
    n, labels, stats, _ = cv2.connectedComponentsWithStats(mask.astype(np.uint8), connectivity=8)
    instances = []
    for i in range(1, n):
        x, y, w, h, area = (int(v) for v in stats[i])
        if area < min_area:
            continue
        rle = mask_utils.encode(np.asfortranarray((labels == i).astype(np.uint8)))
        rle['counts'] = rle['counts'].decode('ascii')
        instances.append(dict(bbox=[x, y, w, h], area=area, segmentation=rle, iscrowd=0))
    return instances


class CocoBuilder:
    """Accumulates images and instances into COCO dictionaries, ids unique per file."""

    def __init__(self, categories: List[dict], min_area: int = 1) -> None:
        self.categories = categories
        self.min_area = min_area

    def new_file(self) -> dict:
        return dict(images=[], annotations=[], categories=copy.deepcopy(self.categories))

    def add_image(self, coco: dict, file_name: str, height: int, width: int,
                  mask: np.ndarray, category_id: int = 1) -> List[dict]:
        image_id = len(coco['images']) + 1
        coco['images'].append(dict(id=image_id, file_name=file_name, height=height, width=width))
        anns = []
        for inst in mask_to_instances(mask, self.min_area):
            inst.update(id=len(coco['annotations']) + 1, image_id=image_id, category_id=category_id)
            coco['annotations'].append(inst)
            anns.append(inst)
        return anns
