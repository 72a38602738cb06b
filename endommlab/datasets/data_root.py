"""A clear error for a data root that has not been prepared yet, or whose files are not there."""
import os
import os.path as osp
from typing import Dict, List, Optional, Sequence

from endommlab.errors import DataError, DataRootNotFoundError

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


class _FolderIndex:
    """File names of a folder by stem, listed once and only when a file is looked for."""

    def __init__(self) -> None:
        self._folders: Dict[str, Dict[str, List[str]]] = {}

    def names(self, folder: str, stem: str) -> List[str]:
        if folder not in self._folders:
            index: Dict[str, List[str]] = {}
            for name in sorted(os.listdir(folder)) if osp.isdir(folder) else []:
                index.setdefault(osp.splitext(name)[0], []).append(name)
            self._folders[folder] = index
        return self._folders[folder].get(stem, [])


def find_files(data_list: List[dict], keys: Dict[str, Sequence[str]], ann_file: str,
               data_root: str) -> None:
    """Point each ``d[key]`` at its file; raise DataError naming the files that are not there.

    An absent file is replaced by the one file of the same stem with a suffix in
    ``keys[key]`` (the converters write ``.png`` or ``.jpg`` images, the configs
    name one). The error says what the folder holds under each missing stem.
    """
    index, missing = _FolderIndex(), []
    for d in data_list:
        for key, suffixes in keys.items():
            path = d.get(key)
            if not path or osp.isfile(path):
                continue
            folder, name = osp.split(path)
            stem = osp.splitext(name)[0]
            held = index.names(folder, stem)
            found = [n for n in held if osp.splitext(n)[1] in suffixes]
            if len(found) == 1:
                d[key] = osp.join(folder, found[0])
                continue
            shown = osp.relpath(path, data_root) if data_root else path
            sub = osp.dirname(shown) + '/'
            missing.append(f'{shown} ({sub} holds {", ".join(held)})' if held else
                           f'{shown} (no file named {stem}.* in {sub})')
    if missing:
        shown_ann = osp.relpath(ann_file, data_root) if data_root else ann_file
        raise DataError(f'{len(missing)} files named by {shown_ann} are missing: '
                        f'{", ".join(missing[:3])}{", ..." if len(missing) > 3 else ""}: '
                        f're-run the converter that wrote {data_root}')
