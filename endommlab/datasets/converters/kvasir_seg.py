"""Kvasir-SEG (Jha et al., MMM 2020) → EndoMMLab's MMSeg and COCO layouts."""
import json
import os.path as osp
from typing import List, Optional

from endommlab.errors import DataError, DataRootNotFoundError
from .image_mask_pairs import ConversionReport, convert_pairs, find_pairs

#: Size of the official validation split the papers use (880 train / 120 val).
KVASIR_NUM_VAL = 120


def box_iou(a: List[float], b: List[float]) -> float:
    """IoU of two ``[x1, y1, x2, y2]`` boxes."""
    iw = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    ih = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = iw * ih
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


def unmatched_boxes(instances: List[dict], boxes: List[dict], iou_thr: float = 0.5) -> List[dict]:
    """The release's boxes that no converted instance matches with IoU >= ``iou_thr``."""
    inst = [[x, y, x + w, y + h] for x, y, w, h in (i['bbox'] for i in instances)]
    return [b for b in boxes
            if not any(box_iou(c, [b['xmin'], b['ymin'], b['xmax'], b['ymax']]) >= iou_thr
                       for c in inst)]


def convert_kvasir_seg(src: str, out_dir: str, num_val: int = KVASIR_NUM_VAL, seed: int = 0,
                       strict: bool = False, min_area: int = 16,
                       report: Optional[ConversionReport] = None,
                       overwrite: bool = False) -> ConversionReport:
    """Convert the official release folder (``images/``, ``masks/``, ``kavsir_bboxes.json``).

    Each converted image's instances are checked against the release's boxes;
    a box that no instance matches (IoU >= 0.5) is listed in the report notes
    (the release's boxes sometimes enclose two touching regions as one).
    """
    if not osp.isdir(src):
        raise DataRootNotFoundError(
            f'Kvasir-SEG release folder {src} does not exist (expected images/, masks/ and '
            'kavsir_bboxes.json from https://datasets.simula.no/kvasir-seg/)')
    boxes_file = osp.join(src, 'kavsir_bboxes.json')
    if not osp.isfile(boxes_file):
        raise DataError(f'{boxes_file} is missing: is {src} the Kvasir-SEG release folder?')
    with open(boxes_file) as f:
        boxes = json.load(f)
    report = report or ConversionReport()
    pairs = find_pairs(osp.join(src, 'images'), osp.join(src, 'masks'), report)

    def check(stem: str, instances: List[dict]) -> Optional[str]:
        if stem not in boxes:
            return 'not in kavsir_bboxes.json'
        missing = unmatched_boxes(instances, boxes[stem]['bbox'])
        if missing:
            return (f'{len(missing)} of {len(boxes[stem]["bbox"])} release boxes match no '
                    f'instance (IoU < 0.5; {len(instances)} instances)')
        return None

    report = convert_pairs(pairs, out_dir, report, num_val=num_val, seed=seed, img_suffix='.jpg',
                           strict=strict, min_area=min_area, check_instances=check,
                           overwrite=overwrite)
    report.notes.insert(0, f'box check against kavsir_bboxes.json: {len(report.notes)} images with '
                           'release boxes that match no instance')
    return report
