"""Plot a run's validation curve (and training loss) from its ``vis_data/scalars.json``.

    python tools/analysis_tools/plot_curves.py work_dirs/RUN/TIMESTAMP/vis_data/scalars.json \
        [--val-keys polyp/dice ...] [--train-keys loss ...] [--x step|wall_minutes] [--out PNG]

Validation keys are drawn per epoch (left; ``--x wall_minutes``: against the minutes of
training that ``WallClockHook`` logs), training keys per iteration (right).
``custom_hooks = [dict(type='TrainingCurveHook')]`` makes a training run redraw the same
figure after every validation.
"""
import argparse
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))

from endommlab.apis import report_user_errors  # noqa: E402
from endommlab.utils import plot_training_curves  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('scalars', help='vis_data/scalars.json of a run')
    parser.add_argument('--val-keys', nargs='+', default=['polyp/dice'])
    parser.add_argument('--train-keys', nargs='+', default=['loss'])
    parser.add_argument('--x', default='step', choices=['step', 'wall_minutes'],
                        help='x axis of the validation curves')
    parser.add_argument('--out', help='PNG file (default: curves.png beside vis_data/)')
    args = parser.parse_args()
    out = args.out or osp.join(osp.dirname(osp.dirname(osp.abspath(args.scalars))), 'curves.png')
    with report_user_errors():
        points = plot_training_curves(args.scalars, out, args.val_keys, args.train_keys,
                                      args.x)
    print(', '.join(f'{k}: {n} points' for k, n in points.items()) + f'; written to {out}')


if __name__ == '__main__':
    main()
