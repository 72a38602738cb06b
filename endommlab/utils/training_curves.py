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


#: x axes of validation curves: the epoch (mmengine's ``step``), or the minutes of training that
#: ``WallClockHook`` logs with each validation.
VAL_X_LABELS = {'step': 'epoch', 'wall_minutes': 'minutes of training (validation included)'}


def _require_x(path: str, val: List[dict], x: str) -> None:
    """Refuse an ``x`` that a run with validation records never logged."""
    if val and x != 'step' and not any(x in r for r in val):
        raise DataError(f'{path} logs no {x!r} (add custom_hooks=[dict(type=\'WallClockHook\')])')


def _save(fig: Figure, out_file: str) -> None:
    os.makedirs(osp.dirname(osp.abspath(out_file)), exist_ok=True)
    fig.savefig(out_file, dpi=100)


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
    _require_x(path, val, x)
    for ax, records, keys, x_key, x_label in (
            (fig.add_subplot(1, 2, 1), val, val_keys, x, VAL_X_LABELS[x]),
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
    _save(fig, out_file)
    return points


def compare_training_curves(paths: Sequence[str], labels: Sequence[str], out_file: str,
                            key: str = 'polyp/dice', x: str = 'wall_minutes') -> Dict[str, int]:
    """Save a PNG of one validation ``key`` of several runs against ``x`` (``wall_minutes``,
    logged by ``WallClockHook``, or ``step``), one line per run; returns the points per label.
    """
    if len(paths) != len(labels):
        raise DataError(f'{len(paths)} runs but {len(labels)} labels')
    fig = Figure(figsize=(7, 4.5), tight_layout=True)
    ax = fig.add_subplot()
    points = {}
    for path, label in zip(paths, labels):
        val = read_scalars(path)[1]
        _require_x(path, val, x)
        xy = [(r[x], r[key]) for r in val if key in r and x in r]
        if not xy:
            raise DataError(f'{path} logs no validation {key!r}')
        points[label] = len(xy)
        ax.plot(*zip(*xy), marker='o', markersize=3, label=label)
    ax.set_xlabel(VAL_X_LABELS[x])
    ax.set_ylabel(f'validation {key}')
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    _save(fig, out_file)
    return points
