"""HyperKvasir labelled-image classes: release folders, split-file names, label sets.

The one place that knows the 23 "raw" classes of the HyperKvasir labelled
images (Borgli et al., Sci. Data 2020), how the release folders
``labeled-images/{lower,upper}-gi-tract/<category>/<folder>/`` and the official
split files ``official_splits/{2,5}_fold_split.csv`` name them, and the three
extra label sets of He, Bano, Stoyanov, Zuo, "Hybrid Loss with Network Trimming
for Disease Recognition in Gastrointestinal Endoscopy" (EndoTect 2020, §2.3).

Raw classes are named as in the split files (``normal-cecum``, ``polyp``,
``oesophagitis-a`` ...), which is also how the paper names them; a raw class
that a label set does not list maps to that set's ``other``.
"""
from typing import Dict, List, Tuple

from endommlab.errors import DataError

#: Release folders below ``labeled-images/``:
#: ``{<tract>/<category>: ((folder, split-file name), ...)}``.
RELEASE_FOLDERS: Dict[str, Tuple[Tuple[str, str], ...]] = {
    'lower-gi-tract/anatomical-landmarks': (
        ('cecum', 'normal-cecum'),
        ('ileum', 'ileum'),
        ('retroflex-rectum', 'retroflex-rectum')),
    'lower-gi-tract/pathological-findings': (
        ('hemorrhoids', 'hemorroids'),
        ('polyps', 'polyp'),
        ('ulcerative-colitis-grade-0-1', 'ulcerative-colitis-grade-0-1'),
        ('ulcerative-colitis-grade-1', 'ulcerative-colitis-grade-1'),
        ('ulcerative-colitis-grade-1-2', 'ulcerative-colitis-grade-1-2'),
        ('ulcerative-colitis-grade-2', 'ulcerative-colitis-grade-2'),
        ('ulcerative-colitis-grade-2-3', 'ulcerative-colitis-grade-2-3'),
        ('ulcerative-colitis-grade-3', 'ulcerative-colitis-grade-3')),
    'lower-gi-tract/quality-of-mucosal-views': (
        ('bbps-0-1', 'bbps-0-1'),
        ('bbps-2-3', 'bbps-2-3'),
        ('impacted-stool', 'impacted-stool')),
    'lower-gi-tract/therapeutic-interventions': (
        ('dyed-lifted-polyps', 'dyed-lifted-polyps'),
        ('dyed-resection-margins', 'dyed-resection-margins')),
    'upper-gi-tract/anatomical-landmarks': (
        ('pylorus', 'normal-pylorus'),
        ('retroflex-stomach', 'retroflex-stomach'),
        ('z-line', 'normal-z-line')),
    'upper-gi-tract/pathological-findings': (
        ('barretts', 'barretts'),
        ('barretts-short-segment', 'short-segment-barretts'),
        ('esophagitis-a', 'oesophagitis-a'),
        ('esophagitis-b-d', 'oesophagitis-b-d')),
}

#: (split-file class name, release folder below ``labeled-images/``), one row per raw class.
CLASS_FOLDERS: Tuple[Tuple[str, str], ...] = tuple(
    (name, f'{parent}/{folder}') for parent, entries in RELEASE_FOLDERS.items()
    for folder, name in entries)

#: The 23 raw classes in label-index order (alphabetical split-file names).
RAW_CLASSES: Tuple[str, ...] = tuple(sorted(name for name, _ in CLASS_FOLDERS))

#: The paper's extra label sets (§2.3); index 0 is ``other``.
LABEL_SETS: Dict[str, Tuple[str, ...]] = {
    'macro': ('other', 'bbps-0-1', 'bbps-2-3', 'dyed-lifted-polyps', 'dyed-resection-margins',
              'impacted-stool', 'normal-cecum', 'normal-pylorus', 'polyp', 'retroflex-rectum',
              'retroflex-stomach'),
    'oesophagus': ('other', 'barretts', 'normal-z-line', 'oesophagitis-a', 'oesophagitis-b-d',
                   'short-segment-barretts'),
    'ulcer': ('other', 'ulcerative-colitis-grade-0-1', 'ulcerative-colitis-grade-1-2',
              'ulcerative-colitis-grade-2-3', 'ulcerative-colitis-grade-1',
              'ulcerative-colitis-grade-2', 'ulcerative-colitis-grade-3'),
}

_FOLDER_OF: Dict[str, str] = dict(CLASS_FOLDERS)
_CLASS_OF_FOLDER: Dict[str, str] = {folder: name for name, folder in CLASS_FOLDERS}
_INDEX: Dict[str, int] = {name: i for i, name in enumerate(RAW_CLASSES)}


def class_index(name: str, where: str = '') -> int:
    """Raw label index of a split-file class name.

    Raises:
        DataError: ``name`` is not one of the 23 split-file names (a release
            folder name such as ``hemorrhoids`` is named as such in the message).
    """
    if name in _INDEX:
        return _INDEX[name]
    folder_names = {folder.rsplit('/', 1)[1]: csv for csv, folder in CLASS_FOLDERS}
    hint = (f"; `{name}` is the release folder name of split-file class `{folder_names[name]}`"
            if name in folder_names else '')
    raise DataError(f"unknown HyperKvasir class name `{name}`{' in ' + where if where else ''}"
                    f'{hint}. Known split-file names: {", ".join(RAW_CLASSES)}')


def class_folder(name: str) -> str:
    """Release folder (below ``labeled-images/``) holding the images of a raw class."""
    return _FOLDER_OF[RAW_CLASSES[class_index(name)]]


def folder_class(folder: str) -> str:
    """Raw class of a release folder ``<tract>/<category>/<folder>``.

    Raises:
        DataError: the folder is not one of the 23 labelled-image folders.
    """
    if folder not in _CLASS_OF_FOLDER:
        raise DataError(f'unknown HyperKvasir labelled-image folder `{folder}`; known folders: '
                        f'{", ".join(sorted(_CLASS_OF_FOLDER))}')
    return _CLASS_OF_FOLDER[folder]


def label_set_targets(set_name: str) -> List[int]:
    """For label set ``set_name``, the target of every raw label index (``other`` is 0)."""
    if set_name not in LABEL_SETS:
        raise DataError(f'unknown label set `{set_name}`; known sets: {", ".join(LABEL_SETS)}')
    classes = LABEL_SETS[set_name]
    return [classes.index(raw) if raw in classes else 0 for raw in RAW_CLASSES]
