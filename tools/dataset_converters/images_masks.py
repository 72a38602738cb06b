"""Convert any "images folder + masks folder" polyp set (CVC-ClinicDB, ETIS, PolypGen,
EndoTect ...) into EndoMMLab's MMSeg and COCO layouts.

    python tools/dataset_converters/images_masks.py IMAGES MASKS -o data/cvc-clinicdb \
        --split-name test

Images and masks are matched by file stem; both may be jpg/png/tif/bmp (TIFFs that Pillow
refuses, such as CVC-ClinicDB's 3-sample BlackIsZero frames, are read with tifffile), masks
0/255 or 0/1. Images with an empty mask are kept as negatives. Every skipped pair is printed
with its reason (mask missing, unreadable, size mismatch, not binary, unknown file type).
The output never overlaps the input; a folder holding an earlier conversion is replaced only
with ``--overwrite`` (then only the files that conversion wrote are removed).
"""
import argparse
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))

from endommlab.apis import report_user_errors  # noqa: E402
from endommlab.datasets.converters import ConversionReport, convert_pairs, find_pairs  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description='images + masks folders -> EndoMMLab layouts')
    parser.add_argument('img_dir')
    parser.add_argument('mask_dir')
    parser.add_argument('-o', '--out-dir', required=True)
    parser.add_argument('--num-val', type=int, default=0,
                        help='hold out this many images as val (seeded); 0 writes one split')
    parser.add_argument('--split-name', default='test', help='name of the single split')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--img-suffix', default='.png',
                        help='.png or .jpg: image format written (sources of another format are '
                        're-encoded); every config finds either')
    parser.add_argument('--threshold', type=int, default=128, help='mask threshold (0-255 scale)')
    parser.add_argument('--min-area', type=int, default=16, help='drop mask regions below (px)')
    parser.add_argument('--max-ambiguous', type=float, default=0.02,
                        help='share of a mask\'s non-zero pixels allowed between 32 and 223 '
                        '(soft edges of resized JPEG masks) before it is skipped as not binary')
    parser.add_argument('--overwrite', action='store_true',
                        help='replace an earlier conversion in --out-dir')
    parser.add_argument('--strict', action='store_true', help='stop at the first bad pair')
    args = parser.parse_args()
    with report_user_errors():
        report = ConversionReport()
        pairs = find_pairs(args.img_dir, args.mask_dir, report)
        splits = None if args.num_val else {args.split_name: sorted(p.stem for p in pairs)}
        report = convert_pairs(pairs, args.out_dir, report, splits=splits, num_val=args.num_val,
                               seed=args.seed, img_suffix=args.img_suffix,
                               threshold=args.threshold, min_area=args.min_area,
                               strict=args.strict, overwrite=args.overwrite,
                               max_ambiguous=args.max_ambiguous)
    print(report.summary())
    print(f'written to {args.out_dir}')


if __name__ == '__main__':
    main()
