"""HyperKvasir labelled images (release layout) with the official k-fold split files."""
import csv
import os
import os.path as osp
from typing import Dict, List, Optional, Sequence

from mmpretrain.datasets import BaseDataset
from mmpretrain.registry import DATASETS

from endommlab.errors import ConfigError, DataError, DataRootNotFoundError
from .hyperkvasir_labels import (LABEL_SETS, RAW_CLASSES, class_folder, class_index, folder_class,
                                 label_set_targets)

PREPARE_HINT = (
    'unpack hyper-kvasir-labeled-images.zip so that <data_root>/labeled-images/'
    '{lower,upper}-gi-tract/... exists and copy official_splits/ from '
    'https://github.com/simula/hyper-kvasir beside it, or point the config at it with '
    '--cfg-options train_dataloader.dataset.data_root=... val_dataloader.dataset.data_root=... '
    'test_dataloader.dataset.data_root=...')


@DATASETS.register_module()
class HyperKvasirDataset(BaseDataset):
    """The 23-class HyperKvasir labelled images, one fold of the official split.

    Reads the release layout ``<data_root>/labeled-images/{lower,upper}-gi-tract/
    <category>/<folder>/*.jpg`` and a split file ``file-name;class-name;split-index``
    (``official_splits/2_fold_split.csv`` or ``5_fold_split.csv``). Fold ``k``
    holds out the images of split index ``k``: ``split='train'`` gives every
    other image, ``split='val'`` the held-out ones (the 2-fold cross-validation
    of He et al., EndoTect 2020, trains ``fold=0`` and ``fold=1``). With
    ``ann_file=''`` every image of the tree is read, labelled by its folder.

    Besides ``gt_label`` (raw class), every sample carries
    ``gt_label_<set>`` for each label set of
    :data:`~endommlab.datasets.hyperkvasir_labels.LABEL_SETS` in ``label_sets``
    (pack them with ``PackInputs(algorithm_keys=...)``).

    Args:
        fold: split index held out as the validation fold (``None`` with ``ann_file=''``).
        split: ``'train'`` (all but fold ``fold``) or ``'val'`` (fold ``fold``).
        label_sets: extra label sets to attach to every sample.
    """

    METAINFO = dict(classes=RAW_CLASSES, label_sets=LABEL_SETS)

    def __init__(self, data_root: str = '', ann_file: str = 'official_splits/2_fold_split.csv',
                 fold: Optional[int] = 0, split: str = 'train',
                 label_sets: Sequence[str] = tuple(LABEL_SETS),
                 data_prefix: str = 'labeled-images', **kwargs) -> None:
        if split not in ('train', 'val'):
            raise ConfigError(f"HyperKvasirDataset split must be 'train' or 'val', not {split!r}")
        if ann_file and fold is None:
            raise ConfigError('HyperKvasirDataset needs `fold` (the held-out split index) '
                              f'to read the split file {ann_file}')
        self.fold = fold
        self.split = split
        self.set_targets = {name: label_set_targets(name) for name in label_sets}
        super().__init__(ann_file=ann_file, data_root=data_root, data_prefix=data_prefix,
                         **kwargs)

    def load_data_list(self) -> List[dict]:
        if self.data_root and not osp.isdir(self.data_root):
            raise DataRootNotFoundError(f'HyperKvasir data root {self.data_root} does not exist: '
                                        f'{PREPARE_HINT}')
        if not osp.isdir(self.img_prefix):
            raise DataRootNotFoundError(f'{self.img_prefix} does not exist: {PREPARE_HINT}')
        if self.ann_file:
            samples = self._read_split_file()
        else:
            samples = self._scan_tree()
        missing = [path for path, _ in samples if not osp.isfile(path)]
        if missing:
            raise DataError(f'{len(missing)} images named by {self.ann_file} are not in '
                            f'{self.img_prefix}, e.g. {missing[:3]}: {PREPARE_HINT}')
        if not samples:
            raise DataError(f'{self.ann_file or self.img_prefix} gives no images for '
                            f'fold {self.fold} split {self.split!r}')
        return [self._data_info(path, label) for path, label in samples]

    def _data_info(self, img_path: str, label: int) -> Dict:
        info = dict(img_path=img_path, gt_label=label)
        for name, targets in self.set_targets.items():
            info[f'gt_label_{name}'] = targets[label]
        return info

    def _read_split_file(self) -> List[tuple]:
        if not osp.isfile(self.ann_file):
            raise DataRootNotFoundError(f'split file {self.ann_file} does not exist: '
                                        f'{PREPARE_HINT}')
        with open(self.ann_file, newline='') as f:
            rows = list(csv.reader(f, delimiter=';'))
        if not rows or rows[0] != ['file-name', 'class-name', 'split-index']:
            raise DataError(f'{self.ann_file} does not start with the header '
                            '`file-name;class-name;split-index`')
        folds = set()
        samples = []
        for line_no, row in enumerate(rows[1:], start=2):
            where = f'{self.ann_file}:{line_no}'
            if len(row) != 3 or not row[2].strip().isdigit():
                raise DataError(f'{where}: expected `file-name;class-name;split-index`, got {row}')
            file_name, name, index = row[0], row[1], int(row[2])
            label = class_index(name, where)
            folds.add(index)
            if (index == self.fold) == (self.split == 'val'):
                samples.append((osp.join(self.img_prefix, class_folder(name), file_name), label))
        if self.fold not in folds:
            raise ConfigError(f'fold {self.fold} is not a split index of {self.ann_file} '
                              f'(it has {sorted(folds)})')
        return samples

    def _scan_tree(self) -> List[tuple]:
        samples = []
        for tract in sorted(os.listdir(self.img_prefix)):
            tract_dir = osp.join(self.img_prefix, tract)
            for category in sorted(os.listdir(tract_dir)) if osp.isdir(tract_dir) else []:
                cat_dir = osp.join(tract_dir, category)
                for folder in sorted(os.listdir(cat_dir)) if osp.isdir(cat_dir) else []:
                    if not osp.isdir(osp.join(cat_dir, folder)):
                        continue
                    label = class_index(folder_class(f'{tract}/{category}/{folder}'))
                    samples += [(osp.join(cat_dir, folder, f), label)
                                for f in sorted(os.listdir(osp.join(cat_dir, folder)))
                                if f.lower().endswith(('.jpg', '.jpeg', '.png'))]
        return samples
