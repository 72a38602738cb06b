"""Convert an "images folder + masks folder" polyp set into EndoMMLab's layouts.

Output layout (``out_dir``)::

    images/<stem><img_suffix>      .jpg or .png images (copied, or re-encoded
                                   when the source format differs)
    masks/<stem>.png               binary masks, 0 = background, 1 = polyp
    splits/<split>.txt             one stem per line (MMSegmentation ``ann_file``)
    annotations/instances_<split>.json
                                   COCO instances, one per connected polyp
                                   region, RLE masks (MMDetection ``ann_file``)
    conversion_report.json         what was converted, negatives, skips + reasons

The converter never writes where its input lies, and a folder that holds an earlier
conversion is replaced only when asked (``overwrite``); then exactly the files that the earlier
conversion's report lists are removed, and the new report names them. Every file written is
read back.

Sources are read by Pillow, and TIFFs that Pillow refuses (CVC-ClinicDB's
3-sample BlackIsZero frames) by tifffile; 16-bit data become 8-bit. Images
whose mask is empty are kept as negatives (challenge test sets hold
them). Nothing is dropped silently: every skipped pair is reported with its
reason, and a bad sample raises :class:`~endommlab.errors.DataError` when
``strict`` is set.
"""
import json
import os
import os.path as osp
import random
import shutil
from dataclasses import dataclass, field
from typing import Callable, Dict, List, Optional, Sequence, Tuple

import cv2
import numpy as np
import tifffile
from PIL import Image, UnidentifiedImageError

from endommlab.errors import ConfigError, DataError, OutputError
from .coco import CocoBuilder

IMAGE_EXTS = ('.jpg', '.jpeg', '.png', '.tif', '.tiff', '.bmp')
TIFF_EXTS = ('.tif', '.tiff')
#: Suffixes the converters write images with; the data sets find either one.
OUTPUT_SUFFIXES = ('.jpg', '.png')
#: Pillow modes holding more than 8 bits per sample.
WIDE_MODES = ('I;16', 'I;16L', 'I;16B', 'I', 'F')

#: A mask pixel between these values (0-255 scale) is neither background nor
#: polyp; JPEG noise keeps such pixels to a thin band along the mask border.
AMBIGUOUS_RANGE = (32, 224)
#: What a conversion writes in its output folder.
OUTPUT_ENTRIES = ('images', 'masks', 'splits', 'annotations', 'conversion_report.json')


@dataclass
class Pair:
    stem: str
    image_path: str
    mask_path: str


@dataclass
class ConversionReport:
    """What a conversion did; ``summary()`` is what the converters print."""

    converted: List[str] = field(default_factory=list)
    negatives: List[str] = field(default_factory=list)
    skipped: Dict[str, str] = field(default_factory=dict)
    splits: Dict[str, List[str]] = field(default_factory=dict)
    instances: int = 0
    notes: List[str] = field(default_factory=list)
    removed: List[str] = field(default_factory=list)

    def skip(self, name: str, reason: str) -> None:
        self.skipped[name] = reason

    def summary(self) -> str:
        lines = [f'converted: {len(self.converted)} image/mask pairs '
                 f'({len(self.negatives)} negatives without polyp, '
                 f'{self.instances} polyp instances)']
        lines += [f'  split {name}: {len(stems)}' for name, stems in self.splits.items()]
        lines.append(f'skipped: {len(self.skipped)}')
        lines += [f'  {name}: {reason}' for name, reason in sorted(self.skipped.items())]
        lines += self.notes
        if self.removed:
            lines.append(f'removed {len(self.removed)} files of the earlier conversion '
                         '(listed in conversion_report.json)')
        return '\n'.join(lines)

    def to_dict(self) -> dict:
        return dict(converted=self.converted, negatives=self.negatives, skipped=self.skipped,
                    splits=self.splits, instances=self.instances, notes=self.notes,
                    removed=self.removed)


def _index_folder(folder: str, report: ConversionReport, kind: str) -> Dict[str, str]:
    if not osp.isdir(folder):
        raise DataError(f'{kind} folder {folder} does not exist')
    index: Dict[str, str] = {}
    for name in sorted(os.listdir(folder)):
        path = osp.join(folder, name)
        if name.startswith('.') or not osp.isfile(path):
            continue
        stem, ext = osp.splitext(name)
        if ext.lower() not in IMAGE_EXTS:
            report.skip(f'{kind}/{name}',
                        f'unknown file type "{ext}" (expected one of {", ".join(IMAGE_EXTS)})')
        elif stem in index:
            report.skip(f'{kind}/{name}',
                        f'duplicate stem: {osp.basename(index[stem])} already taken')
        else:
            index[stem] = path
    return index


def find_pairs(img_dir: str, mask_dir: str, report: ConversionReport,
               mask_stem: Callable[[str], str] = lambda s: s) -> List[Pair]:
    """Match images and masks by file stem (``mask_stem`` maps an image stem)."""
    images = _index_folder(img_dir, report, 'images')
    masks = _index_folder(mask_dir, report, 'masks')
    pairs, used = [], set()
    for stem, img_path in images.items():
        m = mask_stem(stem)
        if m not in masks:
            report.skip(stem, 'mask missing')
            continue
        used.add(m)
        pairs.append(Pair(stem, img_path, masks[m]))
    for m in sorted(set(masks) - used):
        report.skip(f'masks/{osp.basename(masks[m])}', 'no image with this stem')
    if not pairs:
        raise DataError(f'no image/mask pairs found in {img_dir} and {mask_dir}')
    return pairs


def to_uint8(array: np.ndarray) -> np.ndarray:
    """Samples → 8 bits: values within 0-255 are kept (0/1 masks, 8-bit data in
    16-bit files), other 16-bit data keep their high byte, as Pillow does."""
    if array.dtype == np.uint8:
        return array
    if array.dtype.kind in 'ui' and array.size and 0 <= array.min() and array.max() <= 255:
        return array.astype(np.uint8)
    if array.dtype.kind == 'u' and array.dtype.itemsize == 2:
        return (array >> 8).astype(np.uint8)
    raise DataError(f'{array.dtype} samples (8- or 16-bit unsigned integers expected)')


def read_tiff(path: str) -> Image.Image:
    """A TIFF through tifffile, whatever its PhotometricInterpretation says.

    CVC-ClinicDB's frames are RGB stored as 3 samples declared BlackIsZero,
    which Pillow refuses and OpenCV reads as grey; the samples are taken as
    R, G, B (a 4th as alpha, dropped).
    """
    with tifffile.TiffFile(path) as tif:
        series = tif.series[0]
        array, axes = series.asarray(), series.axes
    if axes == 'SYX':
        array, axes = np.moveaxis(array, 0, -1), 'YXS'
    if axes == 'YX':
        return Image.fromarray(to_uint8(array))
    if axes == 'YXS' and array.shape[2] in (3, 4):
        return Image.fromarray(to_uint8(array[..., :3]))
    raise DataError(f'unsupported TIFF layout (axes {axes}, shape {array.shape}): '
                    'one greyscale, RGB or RGBA page expected')


def read_image(path: str) -> Image.Image:
    """Open and fully decode an image as 8 bits per sample; DataError when it cannot be.

    Pillow decodes it; a TIFF that Pillow refuses is read by :func:`read_tiff`.
    """
    try:
        img = Image.open(path)
        img.load()
    except (UnidentifiedImageError, OSError, SyntaxError) as e:
        if osp.splitext(path)[1].lower() not in TIFF_EXTS:
            raise DataError(f'unreadable image ({e})') from None
        try:
            return read_tiff(path)
        except (tifffile.TiffFileError, ValueError, OSError) as tiff_error:
            raise DataError(f'unreadable image (Pillow: {e}; tifffile: {tiff_error})') from None
    if img.mode in WIDE_MODES:
        try:
            return Image.fromarray(to_uint8(np.asarray(img)))
        except DataError as e:
            raise DataError(f'unreadable image ({e})') from None
    return img


def binarize_mask(mask: np.ndarray,
                  threshold: int = 128,
                  max_ambiguous: float = 0.02) -> np.ndarray:
    """0/1 or 0/255 (possibly JPEG-noisy) mask → uint8 0/1 mask.

    Raises DataError for masks that are not binary: a label map (values above
    1 but all below ``threshold``) or a soft map with more than
    ``max_ambiguous`` of its non-zero pixels inside :data:`AMBIGUOUS_RANGE`.
    """
    if mask.ndim == 3:
        mask = mask.max(axis=2)
    peak = int(mask.max()) if mask.size else 0
    if peak <= 1:
        return mask.astype(np.uint8)
    if peak < threshold:
        raise DataError(f'mask is not binary: values up to {peak}, neither 0/1 nor 0/255 '
                        f'(threshold {threshold} would erase it)')
    nonzero = np.count_nonzero(mask)
    ambiguous = np.count_nonzero((mask >= AMBIGUOUS_RANGE[0]) & (mask < AMBIGUOUS_RANGE[1]))
    if ambiguous > max_ambiguous * nonzero:
        share = ambiguous / nonzero
        raise DataError(f'mask is not binary after thresholding at {threshold}: '
                        f'{share:.1%} of its non-zero pixels lie between '
                        f'{AMBIGUOUS_RANGE[0]} and {AMBIGUOUS_RANGE[1] - 1} (soft edges of a '
                        f'resized JPEG mask: --max-ambiguous {np.ceil(share * 100) / 100:.2f} '
                        'thresholds it)')
    return (mask >= threshold).astype(np.uint8)


def remove_specks(mask: np.ndarray, min_area: int) -> np.ndarray:
    """Drop connected regions smaller than ``min_area`` px (JPEG noise above the threshold)."""
    if min_area <= 1 or not mask.any():
        return mask
    n, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    small = np.flatnonzero(stats[:, cv2.CC_STAT_AREA] < min_area)
    small = small[small > 0]
    if small.size:
        mask = mask.copy()
        mask[np.isin(labels, small)] = 0
    return mask


def read_pair(pair: Pair,
              threshold: int = 128,
              min_area: int = 16,
              max_ambiguous: float = 0.02) -> Tuple[Image.Image, np.ndarray]:
    """Decode and validate one pair: image, and its binary 0/1 mask."""
    img = read_image(pair.image_path)
    try:
        mask_img = read_image(pair.mask_path)
    except DataError as e:
        raise DataError(f'unreadable mask {osp.basename(pair.mask_path)}: {e}') from None
    if mask_img.size != img.size:
        raise DataError(f'mask size {mask_img.size[0]}x{mask_img.size[1]} != image size '
                        f'{img.size[0]}x{img.size[1]}')
    gray = mask_img.convert('L') if mask_img.mode in ('1', 'L') else mask_img.convert('RGB')
    return img, remove_specks(binarize_mask(np.asarray(gray), threshold, max_ambiguous), min_area)


def split_stems(stems: Sequence[str], num_val: int, seed: int) -> Dict[str, List[str]]:
    """Deterministic seeded train/val split of sorted stems."""
    stems = sorted(stems)
    if not 0 <= num_val <= len(stems):
        raise DataError(f'cannot take {num_val} validation images out of {len(stems)}')
    shuffled = stems[:]
    random.Random(seed).shuffle(shuffled)
    val = sorted(shuffled[:num_val])
    train = sorted(shuffled[num_val:])
    return {'train': train, 'val': val}


def _write_image(img: Image.Image, src: str, dst: str) -> None:
    try:
        if osp.splitext(src)[1].lower() == osp.splitext(dst)[1].lower() or (
                osp.splitext(src)[1].lower() in ('.jpg', '.jpeg') and dst.endswith('.jpg')):
            shutil.copyfile(src, dst)
        else:
            img.convert('RGB').save(dst)
        with Image.open(dst) as written:
            written.load()
    except OSError as e:
        raise OutputError(f'could not write {dst} ({e.strerror or e})') from None


def _write_mask(mask: np.ndarray, dst: str) -> None:
    written = cv2.imwrite(dst, mask)
    if not written or cv2.imread(dst, cv2.IMREAD_UNCHANGED) is None:
        raise OutputError(f'could not write {dst}')


def prepare_out_dir(out_dir: str, pairs: Sequence[Pair], overwrite: bool) -> List[str]:
    """Check that writing into ``out_dir`` destroys nothing; the files of an earlier
    conversion removed (``overwrite``).

    Raises:
        OutputError: an input file lies where the converter writes, or ``out_dir`` already
            holds converted data and ``overwrite`` is not set, or it holds data that no
            conversion report accounts for.
    """
    out = osp.realpath(out_dir)
    for sub in ('images', 'masks'):
        target = osp.join(out, sub) + os.sep
        for pair in pairs:
            for src in (pair.image_path, pair.mask_path):
                if osp.realpath(src).startswith(target):
                    raise OutputError(f'{src} lies in {osp.join(out_dir, sub)}, where the '
                                      'converter writes: it would overwrite its own input; '
                                      'choose another --out-dir')
    existing = [e for e in OUTPUT_ENTRIES if osp.isfile(osp.join(out, e)) or (
        osp.isdir(osp.join(out, e)) and os.listdir(osp.join(out, e)))]
    if not existing:
        return []
    if not overwrite:
        raise OutputError(f'{out_dir} already holds {", ".join(existing)}: add --overwrite to '
                          'replace that conversion (only the files it wrote are removed)')
    report_file = osp.join(out, 'conversion_report.json')
    if not osp.isfile(report_file):
        raise OutputError(f'{out_dir} holds {", ".join(existing)} but no conversion_report.json: '
                          'not an earlier conversion, so nothing is removed; choose another '
                          '--out-dir')
    with open(report_file) as f:
        earlier = json.load(f)
    candidates = [osp.join(out, 'images', stem + suffix) for stem in earlier['converted']
                  for suffix in OUTPUT_SUFFIXES]
    candidates += [osp.join(out, 'masks', stem + '.png') for stem in earlier['converted']]
    candidates += [osp.join(out, 'splits', f'{name}.txt') for name in earlier['splits']]
    candidates += [osp.join(out, 'annotations', f'instances_{name}.json')
                   for name in earlier['splits']]
    removed = []
    for path in candidates + [report_file]:
        if osp.isfile(path):
            os.remove(path)
            removed.append(osp.relpath(path, out))
    return removed


def convert_pairs(pairs: Sequence[Pair], out_dir: str, report: ConversionReport,
                  splits: Optional[Dict[str, List[str]]] = None, num_val: int = 0, seed: int = 0,
                  img_suffix: str = '.jpg', threshold: int = 128, min_area: int = 16,
                  strict: bool = False,
                  check_instances: Optional[Callable[[str, List[dict]], Optional[str]]] = None,
                  overwrite: bool = False, max_ambiguous: float = 0.02) -> ConversionReport:
    """Write the layouts described in the module docstring.

    Args:
        img_suffix: ``.jpg`` or ``.png`` (:data:`OUTPUT_SUFFIXES`); a source
            of another format is re-encoded.
        threshold: mask binarisation threshold on the 0-255 scale.
        min_area: regions smaller than this (pixels) are removed from masks
            and instances; Kvasir-SEG's JPEG masks carry 1-pixel specks.
        splits: explicit ``{split: [stems]}``; default is a seeded train/val
            split with ``num_val`` validation images, or a single ``test``
            split when ``num_val`` is 0 and no split is given.
        check_instances: called with ``(stem, coco_annotations)``; a returned
            string is recorded in the report's notes (e.g. a box mismatch).
        overwrite: replace an earlier conversion in ``out_dir`` (see
            :func:`prepare_out_dir`); without it a non-empty output is refused.
        max_ambiguous: largest share of a mask's non-zero pixels that may lie between
            background and polyp (:data:`AMBIGUOUS_RANGE`) before the mask is refused as
            not binary; resized JPEG masks need a few per cent.
    """
    if img_suffix not in OUTPUT_SUFFIXES:
        raise ConfigError(f'img_suffix {img_suffix!r}: images are written as one of '
                          f'{", ".join(OUTPUT_SUFFIXES)}')
    report.removed = prepare_out_dir(out_dir, pairs, overwrite)
    for sub in ('images', 'masks', 'splits', 'annotations'):
        try:
            os.makedirs(osp.join(out_dir, sub), exist_ok=True)
        except OSError as e:
            raise OutputError(f'cannot create {osp.join(out_dir, sub)} ({e.strerror})') from None
    builder = CocoBuilder(categories=[dict(id=1, name='polyp')])
    records = {}
    for pair in pairs:
        try:
            img, mask = read_pair(pair, threshold, min_area, max_ambiguous)
        except DataError as e:
            if strict:
                raise DataError(f'{pair.stem}: {e}') from None
            report.skip(pair.stem, str(e))
            continue
        dst = osp.join(out_dir, 'images', pair.stem + img_suffix)
        _write_image(img, pair.image_path, dst)
        _write_mask(mask, osp.join(out_dir, 'masks', pair.stem + '.png'))
        records[pair.stem] = (img.size, mask)
        report.converted.append(pair.stem)
        if not mask.any():
            report.negatives.append(pair.stem)
    if splits is None:
        splits = split_stems(records, num_val, seed) if num_val else {'test': sorted(records)}
    for name, stems in splits.items():
        stems = [s for s in stems if s in records]
        report.splits[name] = stems
        with open(osp.join(out_dir, 'splits', f'{name}.txt'), 'w') as f:
            f.writelines(s + '\n' for s in stems)
        coco = builder.new_file()
        for stem in stems:
            (w, h), mask = records[stem]
            anns = builder.add_image(
                coco, file_name=stem + img_suffix, height=h, width=w, mask=mask)
            report.instances += len(anns)
            note = check_instances(stem, anns) if check_instances else None
            if note:
                report.notes.append(f'  {stem}: {note}')
        with open(osp.join(out_dir, 'annotations', f'instances_{name}.json'), 'w') as f:
            json.dump(coco, f)
    with open(osp.join(out_dir, 'conversion_report.json'), 'w') as f:
        json.dump(report.to_dict(), f, indent=1)
    return report
