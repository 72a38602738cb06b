"""Convert frames without a polyp (one folder per video sequence) into EndoMMLab's layout with
empty masks, split by sequence.

    python tools/dataset_converters/negative_frames.py ../shared/data/polypgen-negatives/centre_A \
        -o data/polypgen-negatives --split train=seq1_neg,seq2_neg calib=seq3_neg,seq4_neg \
        test=seq5_neg,seq6_neg,seq7_neg

Frames become ``<sequence>_<name>.jpg`` with an all-zero mask, so tools/test.py, the
generalisation table and ``PolypSegMetric``'s ``false_alarm_rate`` read them as negatives.
Frames of one sequence are near-duplicates: a split holds whole sequences (default: one
``test`` split of all). Mix them into training or calibration with the ``train`` / ``calib``
splits; score false alarms on sequences held back from both.
"""
import argparse
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))

from endommlab.apis import report_user_errors  # noqa: E402
from endommlab.datasets.converters import convert_negative_frames  # noqa: E402
from endommlab.errors import ConfigError  # noqa: E402


def parse_splits(items):
    splits = {}
    for item in items or []:
        name, sep, seqs = item.partition('=')
        if not sep or not name or not seqs:
            raise ConfigError(f'--split {item!r}: expected NAME=SEQ[,SEQ...]')
        splits[name] = seqs.split(',')
    return splits or None


def main() -> None:
    parser = argparse.ArgumentParser(description='negative frames -> EndoMMLab layout')
    parser.add_argument('src', help='folder of sequence folders of frames')
    parser.add_argument('-o', '--out-dir', required=True)
    parser.add_argument('--split', nargs='+', metavar='NAME=SEQ[,SEQ...]',
                        help='splits by sequence folder (default: one test split of all)')
    parser.add_argument('--overwrite', action='store_true',
                        help='replace an earlier conversion in --out-dir')
    args = parser.parse_args()
    with report_user_errors():
        report = convert_negative_frames(args.src, args.out_dir, parse_splits(args.split),
                                         overwrite=args.overwrite)
    print(report.summary())
    print(f'written to {args.out_dir}')


if __name__ == '__main__':
    main()
