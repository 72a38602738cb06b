"""Convert the official Kvasir-SEG release into EndoMMLab's MMSeg and COCO layouts.

    python tools/dataset_converters/kvasir_seg.py ../shared/data/kvasir-seg -o data/kvasir-seg

Writes images/, masks/ (0/1 PNG, JPEG masks thresholded at 128), splits/{train,val}.txt
(seeded, 880/120 by default), annotations/instances_{train,val}.json (one instance per
connected polyp region, RLE), conversion_report.json; prints a summary, including the
check of every instance against kavsir_bboxes.json.
"""
import argparse
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))

from endommlab.apis import report_user_errors  # noqa: E402
from endommlab.datasets.converters import KVASIR_NUM_VAL, convert_kvasir_seg  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description='Kvasir-SEG release -> EndoMMLab layouts')
    parser.add_argument('src', help='release folder with images/, masks/, kavsir_bboxes.json')
    parser.add_argument('-o', '--out-dir', default='data/kvasir-seg')
    parser.add_argument('--num-val', type=int, default=KVASIR_NUM_VAL, help='validation images')
    parser.add_argument('--seed', type=int, default=0, help='seed of the train/val split')
    parser.add_argument('--min-area', type=int, default=16,
                        help='drop mask regions smaller than this (JPEG specks), pixels')
    parser.add_argument('--overwrite', action='store_true',
                        help='replace an earlier conversion in --out-dir')
    parser.add_argument('--strict', action='store_true', help='stop at the first bad pair')
    args = parser.parse_args()
    with report_user_errors():
        report = convert_kvasir_seg(args.src, args.out_dir, args.num_val, args.seed, args.strict,
                                    args.min_area, overwrite=args.overwrite)
    print(report.summary())
    print(f'written to {args.out_dir}')


if __name__ == '__main__':
    main()
