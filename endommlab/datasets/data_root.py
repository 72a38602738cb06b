"""A clear error for a data root that has not been prepared yet."""
import os.path as osp
from typing import Optional

from endommlab.errors import DataRootNotFoundError

CONVERTER_HINT = (
    'prepare it with one of\n'
    '  python tools/dataset_converters/kvasir_seg.py ../shared/data/kvasir-seg -o data/kvasir-seg\n'
    '  python tools/dataset_converters/images_masks.py IMAGES_DIR MASKS_DIR -o data/<name>\n'
    '  python tools/dataset_converters/make_demo_data.py data/endo-demo\n'
    "or point the config's data_root at it (--cfg-options train_dataloader.dataset.data_root=...)")


def check_data_root(data_root: Optional[str], ann_file: Optional[str] = None) -> None:
    """Raise :class:`DataRootNotFoundError` naming the converter to run."""
    if data_root and not osp.isdir(data_root):
        raise DataRootNotFoundError(f'data root {data_root} does not exist: {CONVERTER_HINT}')
    if ann_file and not osp.isfile(ann_file):
        raise DataRootNotFoundError(f'annotation file {ann_file} does not exist: {CONVERTER_HINT}')
