"""Frames without a polyp, in sequence folders, into the converted layout with empty masks."""
import os
import os.path as osp
import tempfile
from typing import Dict, List, Optional

import numpy as np
from PIL import Image, UnidentifiedImageError

from endommlab.errors import ConfigError, DataError
from .image_mask_pairs import IMAGE_EXTS, ConversionReport, Pair, convert_pairs


def convert_negative_frames(src: str, out_dir: str,
                            splits: Optional[Dict[str, List[str]]] = None,
                            overwrite: bool = False,
                            report: Optional[ConversionReport] = None) -> ConversionReport:
    """Convert ``src/<sequence>/*.jpg`` (frames without a polyp) like an image + mask set whose
    masks are all empty, so every config and metric reads them as negatives.

    Frames are named ``<sequence>_<file stem>``. ``splits`` maps a split name to the sequence
    folders it holds (frames of one sequence are near-duplicates, so a split never cuts a
    sequence); default: one ``test`` split of every sequence. Unreadable frames are skipped
    and named by :func:`convert_pairs`.
    """
    if not osp.isdir(src):
        raise DataError(f'negative frames folder {src} does not exist')
    sequences = sorted(d for d in os.listdir(src) if osp.isdir(osp.join(src, d)))
    if not sequences:
        raise DataError(f'{src} holds no sequence folder (expected {src}/<sequence>/*.jpg)')
    splits = splits or {'test': sequences}
    named = [s for seqs in splits.values() for s in seqs]
    unknown = sorted(set(named) - set(sequences))
    if unknown:
        raise ConfigError(f'sequences {unknown} are not folders of {src} ({sequences})')
    twice = sorted({s for s in named if named.count(s) > 1})
    if twice:
        raise ConfigError(f'sequences {twice} are in more than one split')
    report = report or ConversionReport()
    with tempfile.TemporaryDirectory() as masks:
        pairs, stems = [], {name: [] for name in splits}
        for split, seqs in splits.items():
            for seq in seqs:
                for name in sorted(os.listdir(osp.join(src, seq))):
                    path = osp.join(src, seq, name)
                    stem = f'{seq}_{osp.splitext(name)[0]}'
                    if osp.splitext(name)[1].lower() not in IMAGE_EXTS:
                        report.skip(f'{seq}/{name}', 'unknown file type')
                        continue
                    try:
                        with Image.open(path) as img:
                            size = img.size
                    except (UnidentifiedImageError, OSError) as e:
                        report.skip(stem, f'unreadable image ({e})')
                        continue
                    mask = osp.join(masks, stem + '.png')
                    Image.fromarray(np.zeros(size[::-1], np.uint8)).save(mask)
                    pairs.append(Pair(stem, path, mask))
                    stems[split].append(stem)
        return convert_pairs(pairs, out_dir, report, splits=stems, img_suffix='.jpg',
                             overwrite=overwrite)
