"""Validation/training curves from a run's vis_data/scalars.json: function, hook and tool."""
import glob
import json
import os
import os.path as osp
from types import SimpleNamespace

import numpy as np
import pytest
from PIL import Image

from endommlab.engine.hooks import TrainingCurveHook
from endommlab.errors import DataError
from endommlab.utils import compare_training_curves, plot_training_curves, read_scalars
from conftest import REPO, run_tool


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


def test_compare_runs_against_minutes(tmp_path):
    fast, slow = (write_scalars(str(tmp_path / name)) for name in ('fast', 'slow'))
    for path, minutes in ((fast, 1.5), (slow, 4.0)):  # WallClockHook's minutes per validation
        with open(path) as f:
            records = [json.loads(line) for line in f]
        for r in records:
            if 'iter' not in r:
                r['wall_minutes'] = minutes * r['step']
        with open(path, 'w') as f:
            f.writelines(json.dumps(r) + '\n' for r in records)
    out = tmp_path / 'compare.png'
    assert compare_training_curves([fast, slow], ['fast', 'slow'], str(out)) == \
        {'fast': 3, 'slow': 3}
    img = np.asarray(Image.open(out).convert('RGB')).astype(int)
    blue = np.all(np.abs(img - [31, 119, 180]) < 30, axis=-1)  # C0: the first run
    orange = np.all(np.abs(img - [255, 127, 14]) < 30, axis=-1)  # C1: the second
    assert blue.sum() > 100 and orange.sum() > 100
    # the fast run ends at 4.5 min, the slow one at 12: its line reaches further right
    assert np.nonzero(orange.any(0))[0].max() > np.nonzero(blue.any(0))[0].max() + 100
    with pytest.raises(DataError, match='WallClockHook'):
        compare_training_curves([write_scalars(str(tmp_path / 'old'))], ['old'], str(out))
    with pytest.raises(DataError, match='2 runs but 1 labels'):
        compare_training_curves([fast, slow], ['fast'], str(out))


@pytest.mark.slow
def test_plot_curves_tool(tmp_path):
    path = write_scalars(str(tmp_path))
    result = run_tool('tools/analysis_tools/plot_curves.py', path)
    assert result.returncode == 0, result.stderr
    assert 'polyp/dice: 3 points, loss: 12 points' in result.stdout
    assert osp.isfile(tmp_path / 'curves.png')
    missing = run_tool('tools/analysis_tools/plot_curves.py', str(tmp_path / 'none.json'))
    assert missing.returncode == 2 and missing.stderr.startswith('error: ')


def test_wall_clock_and_validation_loss_are_logged_per_validation(demo_root, tmp_path):
    """A real two-epoch run of the 45-minute NanoNet-A config (cached pipeline, WallClockHook).

    Measured before: ``val/dice_loss`` in the log was the running mean over the epochs (epoch
    values 0.7715, 0.7701 logged as 0.7715, 0.7708), so every curve drawn from it was wrong.
    """
    from mmengine.hooks import Hook

    from endommlab.apis import build_runner

    class RecordMetrics(Hook):
        def __init__(self) -> None:
            self.values = []

        def after_val_epoch(self, runner, metrics=None) -> None:
            self.values.append(metrics['val/dice_loss'])

    config = osp.join(REPO, 'configs', 'nanonet',
                      'nanonet-a_mobilenetv2-0.5-scratch_1xb8-45min-cpu_kvasir-seg-256x256.py')
    runner = build_runner(config, mode='train', work_dir=str(tmp_path), cfg_options={
        'train_dataloader.dataset.data_root': demo_root, 'val_dataloader.dataset.data_root':
        demo_root, 'train_cfg.max_epochs': 3, 'train_dataloader.batch_size': 4})
    recorder = RecordMetrics()
    runner.register_hook(recorder)
    runner.train()
    scalars = osp.join(runner.log_dir, 'vis_data', 'scalars.json')
    _, val = read_scalars(scalars)
    minutes = [r['wall_minutes'] for r in val]
    assert len(minutes) == 3 and 0 < minutes[0] < minutes[1] < minutes[2] < 5
    assert len(set(recorder.values)) == 3  # the loss moved, so a running mean would differ
    assert [r['val/dice_loss'] for r in val] == recorder.values
    out = tmp_path / 'against_minutes.png'
    assert plot_training_curves(scalars, str(out), ['polyp/dice'], ['loss'],
                                x='wall_minutes')['polyp/dice'] == 3
    with pytest.raises(DataError, match="logs no 'elapsed'"):
        plot_training_curves(scalars, str(out), ['polyp/dice'], x='elapsed')


TENSORBOARD_OPTION = 'visualizer.vis_backends.0.type=TensorboardVisBackend'


@pytest.mark.slow
def test_tensorboard_logging_with_the_documented_option(demo_root, tmp_path):
    """The one ``--cfg-options`` line of docs/train_test.md switches TensorBoard on."""
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
    with open(osp.join(REPO, 'docs', 'train_test.md'), encoding='utf-8') as f:
        assert f'--cfg-options {TENSORBOARD_OPTION}\n' in f.read()
    config = 'configs/nanonet/nanonet-c_mobilenetv2-0.35-scratch_1xb8-20e-cpu_kvasir-seg-256x256.py'
    res = run_tool('tools/train.py', config, '--work-dir', str(tmp_path), '--cfg-options',
                   TENSORBOARD_OPTION, f'train_dataloader.dataset.data_root={demo_root}',
                   f'val_dataloader.dataset.data_root={demo_root}', 'train_cfg.max_epochs=1',
                   'train_dataloader.batch_size=4', 'default_hooks.logger.interval=1')
    assert res.returncode == 0, res.stderr[-3000:]
    assert 'no curves.png' in res.stdout + res.stderr  # TrainingCurveHook has no scalars.json
    events = glob.glob(str(tmp_path / '*' / 'vis_data' / 'events.out.tfevents.*'))
    assert len(events) == 1
    accumulator = EventAccumulator(events[0]).Reload()
    tags = accumulator.Tags()['scalars']
    assert {'loss', 'lr', 'polyp/dice'} <= set(tags)
    assert len(accumulator.Scalars('loss')) == 3  # 12 images, batch 4: one point per iteration
