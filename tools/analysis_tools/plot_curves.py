"""Plot a run's validation curve (and training loss) from its ``vis_data/scalars.json``.

    python tools/analysis_tools/plot_curves.py work_dirs/RUN/TIMESTAMP/vis_data/scalars.json \
        [--val-keys polyp/dice ...] [--train-keys loss ...] [--x step|wall_minutes] [--out PNG]
    python tools/analysis_tools/plot_curves.py RUN_A/scalars.json RUN_B/scalars.json ... \
        --labels A B ... [--val-keys polyp/dice] [--x wall_minutes] --out PNG

Validation keys are drawn per epoch (left; ``--x wall_minutes``: against the minutes of
training that ``WallClockHook`` logs), training keys per iteration (right).
``custom_hooks = [dict(type='TrainingCurveHook')]`` makes a training run redraw the same
figure after every validation. Several runs with ``--labels``: one figure of the first validation
key of each run against ``--x``, side by side (e.g. Dice against minutes of two configs).
"""
import argparse
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))

from endommlab.apis import report_user_errors  # noqa: E402
from endommlab.errors import ConfigError  # noqa: E402
from endommlab.utils import compare_training_curves, plot_training_curves  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('scalars', nargs='+', help='vis_data/scalars.json of a run (or several)')
    parser.add_argument('--labels', nargs='+', help='one legend label per run (several runs)')
    parser.add_argument('--val-keys', nargs='+', default=['polyp/dice'])
    parser.add_argument('--train-keys', nargs='+', default=['loss'])
    parser.add_argument('--x', default='step', choices=['step', 'wall_minutes'],
                        help='x axis of the validation curves')
    parser.add_argument('--out', help='PNG file (default: curves.png beside vis_data/)')
    args = parser.parse_args()
    with report_user_errors():
        if len(args.scalars) > 1 or args.labels:
            if not args.out:
                raise ConfigError('several runs are drawn into one figure: give --out PNG')
            out = args.out
            points = compare_training_curves(args.scalars, args.labels or [], out,
                                             args.val_keys[0], args.x)
        else:
            out = args.out or osp.join(osp.dirname(osp.dirname(osp.abspath(args.scalars[0]))),
                                       'curves.png')
            points = plot_training_curves(args.scalars[0], out, args.val_keys, args.train_keys,
                                          args.x)
    print(', '.join(f'{k}: {n} points' for k, n in points.items()) + f'; written to {out}')


if __name__ == '__main__':
    main()
