"""Write the project's procedural endoscopy-like polyp set (demo and fast tests).

    python tools/dataset_converters/make_demo_data.py data/endo-demo [--num-images 48]
"""
import argparse
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))

from endommlab.datasets.converters import make_synthetic_polyp_set  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('out_dir', nargs='?', default='data/endo-demo')
    parser.add_argument('--num-images', type=int, default=48)
    parser.add_argument('--num-val', type=int, default=12)
    parser.add_argument('--size', type=int, default=256, help='image side in pixels')
    parser.add_argument('--seed', type=int, default=0)
    args = parser.parse_args()
    report = make_synthetic_polyp_set(args.out_dir, args.num_images, args.num_val,
                                      (args.size, args.size), seed=args.seed)
    print(report.summary())
    print(f'written to {args.out_dir}')


if __name__ == '__main__':
    main()
