"""Data set converters: real releases and the procedural demo set → EndoMMLab layouts."""
from .coco import CocoBuilder, mask_to_instances
from .image_mask_pairs import (ConversionReport, Pair, binarize_mask, convert_pairs, find_pairs,
                               read_pair, remove_specks, split_stems)
from .kvasir_seg import KVASIR_NUM_VAL, convert_kvasir_seg, unmatched_boxes
from .negative_frames import convert_negative_frames
from .synthetic import make_synthetic_polyp_set

__all__ = [
    'CocoBuilder', 'mask_to_instances', 'ConversionReport', 'Pair', 'binarize_mask',
    'convert_pairs', 'find_pairs', 'read_pair', 'remove_specks', 'split_stems', 'KVASIR_NUM_VAL',
    'convert_kvasir_seg', 'unmatched_boxes', 'make_synthetic_polyp_set', 'convert_negative_frames'
]
