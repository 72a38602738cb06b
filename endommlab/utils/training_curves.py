"""Validation and training curves of a run, from mmengine's ``vis_data/scalars.json``."""
import json
import os
import os.path as osp
from typing import Dict, List, Sequence, Tuple

from matplotlib.figure import Figure

from endommlab.errors import DataError


def read_scalars(path: str) -> Tuple[List[dict], List[dict]]:
    """``(train, val)`` records of a ``scalars.json`` (one JSON object per line).

    mmengine's ``LoggerHook`` writes training records with ``iter`` and
    ``epoch``, and validation records without them, at ``step`` = epoch
    (by-epoch loops) or iteration.
    """
    if not osp.isfile(path):
        raise DataError(f'{path} does not exist (a run writes <work_dir>/<timestamp>/vis_data/'
                        'scalars.json)')
    with open(path) as f:
        records = [json.loads(line) for line in f if line.strip()]
    return [r for r in records if 'iter' in r], [r for r in records if 'iter' not in r]


def plot_training_curves(path: str, out_file: str, val_keys: Sequence[str] = ('polyp/dice', ),
                         train_keys: Sequence[str] = ('loss', ),
                         x: str = 'step') -> Dict[str, int]:
    """Save a PNG: ``val_keys`` per validation step (left), ``train_keys`` per iteration (right).

    ``x='wall_minutes'`` draws the validation keys against the minutes of training that
    ``WallClockHook`` logs with each validation instead of the epoch. Returns the number of
    points drawn per key; a key the run never logged draws none and is left out of the legend.
    """
    train, val = read_scalars(path)
    fig = Figure(figsize=(10, 4), tight_layout=True)
    points = {}
    val_x, val_label = (x, 'minutes of training') if x != 'step' else ('step', 'epoch')
    if val and x != 'step' and not any(x in r for r in val):
        raise DataError(f'{path} logs no {x!r} (add custom_hooks=[dict(type=\'WallClockHook\')])')
    for ax, records, keys, x_key, x_label in (
            (fig.add_subplot(1, 2, 1), val, val_keys, val_x, val_label),
            (fig.add_subplot(1, 2, 2), train, train_keys, 'step', 'iteration')):
        for key in keys:
            xy = [(r[x_key], r[key]) for r in records if key in r and x_key in r]
            points[key] = len(xy)
            if xy:
                ax.plot(*zip(*xy), marker='o' if records is val else None, label=key)
        ax.set_xlabel(x_label)
        ax.set_title('validation' if records is val else 'training')
        ax.grid(alpha=0.3)
        if ax.lines:
            ax.legend()
    if not any(points.values()):
        raise DataError(f'{path} has none of {list(val_keys) + list(train_keys)}')
    os.makedirs(osp.dirname(osp.abspath(out_file)), exist_ok=True)
    fig.savefig(out_file, dpi=100)
    return points
