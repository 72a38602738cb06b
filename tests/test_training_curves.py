"""Validation/training curves from a run's vis_data/scalars.json: function, hook and tool."""
import json
import os
import os.path as osp
from types import SimpleNamespace

import numpy as np
import pytest
from PIL import Image

from endommlab.engine.hooks import TrainingCurveHook
from endommlab.errors import DataError
from endommlab.utils import plot_training_curves, read_scalars
from conftest import run_tool


def write_scalars(log_dir: str, epochs: int = 3, iters_per_epoch: int = 4) -> str:
    """What LoggerHook writes: training records with iter/epoch, validation ones without."""
    path = osp.join(log_dir, 'vis_data', 'scalars.json')
    lines = []
    for epoch in range(1, epochs + 1):
        for i in range(iters_per_epoch):
            it = (epoch - 1) * iters_per_epoch + i + 1
            lines.append(dict(lr=0.01, loss=1.0 / it, epoch=epoch, iter=it, step=it))
        lines.append({'polyp/dice': 0.2 * epoch, 'polyp/jaccard': 0.1 * epoch, 'step': epoch})
    os.makedirs(osp.dirname(path))
    with open(path, 'w') as f:
        f.writelines(json.dumps(line) + '\n' for line in lines)
    return path


def test_read_and_plot_curves(tmp_path):
    path = write_scalars(str(tmp_path))
    train, val = read_scalars(path)
    assert len(train) == 12 and [r['polyp/dice'] for r in val] == pytest.approx([0.2, 0.4, 0.6])
    out = tmp_path / 'curves.png'
    points = plot_training_curves(path, str(out), ['polyp/dice', 'polyp/absent'], ['loss'])
    assert points == {'polyp/dice': 3, 'polyp/absent': 0, 'loss': 12}
    img = np.asarray(Image.open(out).convert('RGB'))
    assert img.shape == (400, 1000, 3)
    blue = np.all(np.abs(img.astype(int) - [31, 119, 180]) < 30, axis=-1)  # matplotlib C0
    assert blue[:, :500].sum() > 100 and blue[:, 500:].sum() > 100  # both panels drawn
    with pytest.raises(DataError, match='has none of'):
        plot_training_curves(path, str(out), ['nothing'], ['nothing_either'])
    with pytest.raises(DataError, match='does not exist'):
        read_scalars(str(tmp_path / 'missing.json'))


def test_training_curve_hook_redraws_after_validation(tmp_path):
    write_scalars(str(tmp_path))
    TrainingCurveHook(val_keys=['polyp/dice', 'polyp/jaccard']).after_val_epoch(
        SimpleNamespace(log_dir=str(tmp_path)))
    assert Image.open(tmp_path / 'curves.png').size == (1000, 400)


@pytest.mark.slow
def test_plot_curves_tool(tmp_path):
    path = write_scalars(str(tmp_path))
    result = run_tool('tools/analysis_tools/plot_curves.py', path)
    assert result.returncode == 0, result.stderr
    assert 'polyp/dice: 3 points, loss: 12 points' in result.stdout
    assert osp.isfile(tmp_path / 'curves.png')
    missing = run_tool('tools/analysis_tools/plot_curves.py', str(tmp_path / 'none.json'))
    assert missing.returncode == 2 and missing.stderr.startswith('error: ')
