"""Reference area of the threshold post-processing (Yu et al., EndoCV2021, §2.3).

The smallest polyp of the training masks, in the unit that
``ThresholdPostProcessSegmentor``'s ``test_cfg`` expects:

    python tools/analysis_tools/polyp_reference_area.py DATA_ROOT [--split train]
    python tools/analysis_tools/polyp_reference_area.py --masks-dir kvasir-seg/masks
        [--mask-threshold 128] [--min-region 16]
    ... [--level image|region] [--resolution H W] [--out area.json]

``DATA_ROOT`` is a converted data set (``masks/<stem>.png`` 0/1,
``splits/<split>.txt``); ``--masks-dir`` reads a release's 0/255 (JPEG) masks
directly, thresholded and cleaned of specks as the converters do. ``--level
image`` (default) takes each image's total polyp area, which is what the
post-processing compares; ``--level region`` the smallest connected polyp.
Areas are fractions of the image (``area_unit='fraction'``), and pixels at
``--resolution`` (``area_unit='pixels'``). Masks without polyp are skipped.
"""
import argparse
import json
import os
import os.path as osp
import sys
from typing import Iterator, List, Optional, Tuple

import cv2
import numpy as np

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))

from endommlab.apis import report_user_errors  # noqa: E402
from endommlab.datasets.converters import binarize_mask, remove_specks  # noqa: E402
from endommlab.datasets.converters.image_mask_pairs import IMAGE_EXTS  # noqa: E402
from endommlab.errors import DataError  # noqa: E402


def converted_masks(data_root: str, split: str) -> Iterator[Tuple[str, np.ndarray]]:
    """``(stem, 0/1 mask)`` of the images listed in ``splits/<split>.txt``."""
    split_file = osp.join(data_root, 'splits', f'{split}.txt')
    if not osp.isfile(split_file):
        raise DataError(f'{split_file} does not exist: is {data_root} a converted data set?')
    with open(split_file) as f:
        stems = [line.strip() for line in f if line.strip()]
    for stem in stems:
        path = osp.join(data_root, 'masks', f'{stem}.png')
        mask = cv2.imread(path, cv2.IMREAD_GRAYSCALE)
        if mask is None:
            raise DataError(f'cannot read mask {path}')
        yield stem, (mask > 0).astype(np.uint8)


def release_masks(masks_dir: str, threshold: int,
                  min_region: int) -> Iterator[Tuple[str, np.ndarray]]:
    """``(stem, 0/1 mask)`` of every mask file of a release folder (0/255, possibly JPEG)."""
    if not osp.isdir(masks_dir):
        raise DataError(f'masks folder {masks_dir} does not exist')
    names = sorted(n for n in os.listdir(masks_dir) if osp.splitext(n)[1].lower() in IMAGE_EXTS)
    if not names:
        raise DataError(f'no mask images in {masks_dir}')
    for name in names:
        mask = cv2.imread(osp.join(masks_dir, name), cv2.IMREAD_GRAYSCALE)
        if mask is None:
            raise DataError(f'cannot read mask {osp.join(masks_dir, name)}')
        try:
            binary = binarize_mask(mask, threshold)
        except DataError as e:
            raise DataError(f'{name}: {e}') from None
        yield osp.splitext(name)[0], remove_specks(binary, min_region)


def polyp_areas(mask: np.ndarray, level: str) -> List[int]:
    """Polyp areas (pixels) of one 0/1 mask: its total, or each connected region."""
    if level == 'image':
        total = int(np.count_nonzero(mask))
        return [total] if total else []
    n, _, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    return [int(a) for a in stats[1:n, cv2.CC_STAT_AREA]]


def smallest_polyp(masks: Iterator[Tuple[str, np.ndarray]], level: str = 'image',
                   resolution: Optional[Tuple[int, int]] = None) -> dict:
    """The smallest polyp area over ``masks``, as a fraction and in pixels."""
    best, num_masks, negatives = None, 0, 0
    for stem, mask in masks:
        num_masks += 1
        areas = polyp_areas(mask, level)
        if not areas:
            negatives += 1
            continue
        fraction = min(areas) / mask.size
        if best is None or fraction < best['fraction']:
            best = dict(fraction=fraction, pixels=min(areas), stem=stem,
                        image_size=list(mask.shape))
    if best is None:
        raise DataError(f'none of the {num_masks} masks contains a polyp')
    best.update(level=level, num_masks=num_masks, num_negatives=negatives)
    if resolution:
        best.update(resolution=list(resolution),
                    resolution_pixels=best['fraction'] * resolution[0] * resolution[1])
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('data_root', nargs='?', help='converted data set (masks/, splits/)')
    parser.add_argument('--split', default='train', help='split file of DATA_ROOT (default train)')
    parser.add_argument('--masks-dir', help='read the 0/255 masks of a release folder instead')
    parser.add_argument('--mask-threshold', type=int, default=128,
                        help='--masks-dir: grey value from which a pixel is polyp')
    parser.add_argument('--min-region', type=int, default=16,
                        help='--masks-dir: drop regions smaller than this many pixels (JPEG '
                        'specks), as the converters do')
    parser.add_argument('--level', choices=['image', 'region'], default='image',
                        help='smallest total polyp area of an image (default) or smallest '
                        'connected polyp region')
    parser.add_argument('--resolution', type=int, nargs=2, metavar=('H', 'W'), default=(512, 512),
                        help="also give the area in pixels at this resolution (area_unit='pixels')")
    parser.add_argument('--out', help='write the result as JSON here')
    args = parser.parse_args()
    with report_user_errors():
        if (args.data_root is None) == (args.masks_dir is None):
            raise DataError('give either DATA_ROOT (a converted data set) or --masks-dir')
        masks = (converted_masks(args.data_root, args.split) if args.data_root
                 else release_masks(args.masks_dir, args.mask_threshold, args.min_region))
        result = smallest_polyp(masks, args.level, tuple(args.resolution))
    source = f'{args.data_root} split {args.split}' if args.data_root else args.masks_dir
    h, w = result['resolution']
    print(f"smallest polyp ({args.level} level) of {result['num_masks']} masks in {source} "
          f"({result['num_negatives']} without polyp): {result['stem']}, "
          f"{result['pixels']} px of {result['image_size'][0]}x{result['image_size'][1]}")
    print(f"reference area: {result['fraction']:.6f} of the image = "
          f"{result['resolution_pixels']:.1f} px at {h}x{w}")
    print(f"test_cfg: reference_area={result['fraction']:.6f}, area_unit='fraction'")
    print(f"      or: reference_area={result['resolution_pixels']:.1f}, area_unit='pixels', "
          f'area_resolution=({h}, {w})')
    if args.out:
        os.makedirs(osp.dirname(osp.abspath(args.out)), exist_ok=True)
        with open(args.out, 'w') as f:
            json.dump(result, f, indent=2)


if __name__ == '__main__':
    main()
