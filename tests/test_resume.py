"""Checkpoints appear whole or not at all, old ones go only after a new one is complete, and
``--resume`` continues from the newest complete checkpoint, naming what it passed over."""
import glob
import os
import os.path as osp
import shutil

import pytest
from mmengine.fileio.backends import LocalBackend

from endommlab.apis import build_runner
from conftest import REPO, run_tool

CONFIG = osp.join(REPO, 'configs', 'nanonet',
                  'nanonet-c_mobilenetv2-0.35-scratch_1xb8-20e-cpu_kvasir-seg-256x256.py')


def options(demo_root: str, epochs: int, keep: int = 2) -> list:
    return ['--cfg-options', f'train_dataloader.dataset.data_root={demo_root}',
            f'val_dataloader.dataset.data_root={demo_root}', f'train_cfg.max_epochs={epochs}',
            'train_dataloader.batch_size=4', f'default_hooks.checkpoint.max_keep_ckpts={keep}',
            'train_dataloader.num_workers=0', 'val_dataloader.num_workers=0',
            'train_dataloader.persistent_workers=False', 'val_dataloader.persistent_workers=False']


@pytest.fixture(scope='module')
def trained(demo_root, tmp_path_factory) -> str:
    """Two epochs of NanoNet-C on the demo set: epoch_1.pth, epoch_2.pth and a best_*.pth."""
    work_dir = str(tmp_path_factory.mktemp('resume') / 'run')
    res = run_tool('tools/train.py', CONFIG, '--work-dir', work_dir, *options(demo_root, 2))
    assert res.returncode == 0, res.stderr[-3000:]
    return work_dir


def test_checkpoints_are_complete_and_no_partial_file_remains(trained):
    names = sorted(os.listdir(trained))
    assert 'epoch_1.pth' in names and 'epoch_2.pth' in names
    assert not [n for n in names if n.endswith('.part')]
    assert glob.glob(osp.join(trained, 'best_*.pth'))


@pytest.mark.slow
def test_resume_falls_back_over_a_truncated_last_checkpoint(trained, demo_root, tmp_path):
    """Measured: a truncated last checkpoint stopped --resume with a raw traceback."""
    work_dir = str(tmp_path / 'run')
    shutil.copytree(trained, work_dir)
    last = osp.join(work_dir, 'epoch_2.pth')
    with open(last, 'rb') as f:
        data = f.read()
    with open(last, 'wb') as f:
        f.write(data[:len(data) // 3])
    res = run_tool('tools/train.py', CONFIG, '--work-dir', work_dir, '--resume',
                   *options(demo_root, 3))
    assert res.returncode == 0, res.stderr[-3000:]
    log = res.stdout + res.stderr
    assert f'--resume: skipped {last}: is truncated or not a PyTorch checkpoint' in log
    assert f"--resume: continuing from {osp.join(work_dir, 'epoch_1.pth')}" in log
    assert 'resumed epoch: 1' in log and osp.isfile(osp.join(work_dir, 'epoch_3.pth'))


def test_resume_from_weights_only_or_broken_files_is_refused(trained, demo_root, tmp_path):
    """Measured: resuming from best_*.pth silently restarted the optimizer and schedule."""
    best = glob.glob(osp.join(trained, 'best_*.pth'))[0]
    res = run_tool('tools/train.py', CONFIG, '--work-dir', str(tmp_path / 'x'), '--resume', best,
                   *options(demo_root, 3))
    assert res.returncode == 2 and 'Traceback' not in res.stderr
    assert res.stderr.strip().splitlines()[-1].startswith(
        f'error: --resume {best}: holds no optimizer')
    broken = tmp_path / 'broken'
    broken.mkdir()
    (broken / 'epoch_1.pth').write_bytes(b'')
    res = run_tool('tools/train.py', CONFIG, '--work-dir', str(broken), '--resume',
                   *options(demo_root, 3))
    assert res.returncode == 2
    assert res.stderr.strip().splitlines()[-1] == (
        f'error: --resume: no complete checkpoint in {broken}: epoch_1.pth is empty or cut '
        'short: nothing to load (was it written completely?)')


def test_a_save_that_dies_keeps_the_previous_checkpoint(demo_root, tmp_path, monkeypatch):
    """Measured: with max_keep_ckpts=1 mmengine deleted the previous checkpoint before writing
    the new one, so a kill during the save left no training checkpoint."""
    work_dir = str(tmp_path / 'run')
    cfg_options = dict(arg.split('=', 1) for arg in options(demo_root, 2, keep=1)[1:])
    cfg_options = {k: eval(v) if v[:1].isdigit() or v in ('False', 'True') else v
                   for k, v in cfg_options.items()}
    runner = build_runner(CONFIG, work_dir=work_dir, cfg_options=cfg_options)
    put = LocalBackend.put

    def dying_put(self, obj, filepath):
        if osp.basename(filepath).startswith('epoch_2'):
            put(self, obj[:len(obj) // 2], filepath)  # killed half-way through the write
            raise KeyboardInterrupt
        put(self, obj, filepath)

    monkeypatch.setattr(LocalBackend, 'put', dying_put)
    with pytest.raises(KeyboardInterrupt):
        runner.train()
    names = sorted(os.listdir(work_dir))
    assert 'epoch_1.pth' in names and 'epoch_2.pth' not in names  # the old one, whole
    assert 'epoch_2.pth.part' in names
