"""Every tool that cannot do what it was asked exits 2 with one ``error:`` line naming the file
and the reason (issue 21): checkpoints that do not fit, are cut short or are not checkpoints."""
import os.path as osp

import pytest
import torch

from endommlab.apis import init_model
from conftest import REPO, run_tool

NANONET_A = osp.join(REPO, 'configs', 'nanonet',
                     'nanonet-a_mobilenetv2-0.5-scratch_1xb8-20e-cpu-flip_kvasir-seg-256x256.py')
NANONET_C = osp.join(REPO, 'configs', 'nanonet',
                     'nanonet-c_mobilenetv2-0.35-scratch_1xb8-20e-cpu_kvasir-seg-256x256.py')


@pytest.fixture(scope='module')
def checkpoints(tmp_path_factory) -> dict:
    """NanoNet-A weights (random), the same file cut short, an empty file and a text file."""
    root = tmp_path_factory.mktemp('checkpoints')
    good = str(root / 'nanonet-a.pth')
    torch.save({'state_dict': init_model(NANONET_A).state_dict(), 'meta': {}}, good)
    with open(good, 'rb') as f:
        data = f.read()
    (root / 'truncated.pth').write_bytes(data[:len(data) // 2])
    (root / 'empty.pth').write_bytes(b'')
    (root / 'notes.pth').write_text('not a checkpoint')
    names = ('nanonet-a', 'truncated', 'empty', 'notes')
    return {name: str(root / f'{name}.pth') for name in names}


def run_test_tool(config: str, checkpoint: str, demo_root: str, tmp_path) -> tuple:
    res = run_tool('tools/test.py', config, checkpoint, '--work-dir', str(tmp_path),
                   '--cfg-options', f'test_dataloader.dataset.data_root={demo_root}')
    return res.returncode, res.stderr


def test_test_tool_refuses_weights_of_another_model(checkpoints, demo_root, tmp_path):
    """Measured: NanoNet-A weights in the NanoNet-C config scored Dice 0.0000 and exited 0."""
    code, err = run_test_tool(NANONET_C, checkpoints['nanonet-a'], demo_root, tmp_path)
    assert code == 2
    line = err.strip().splitlines()[-1]
    assert line.startswith(f"error: checkpoint {checkpoints['nanonet-a']} does not fit config "
                           f'{NANONET_C}: ')
    assert 'shape mismatch (first: backbone.' in line and 'in the checkpoint' in line


@pytest.mark.parametrize('name, reason', [('truncated', 'is truncated or not a PyTorch '
                                           'checkpoint (PytorchStreamReader failed reading zip'),
                                          ('empty', 'is empty or cut short'),
                                          ('notes', 'is not a PyTorch checkpoint')])
def test_unreadable_checkpoints_are_named_not_tracebacks(name, reason, checkpoints, demo_root,
                                                         tmp_path):
    code, err = run_test_tool(NANONET_A, checkpoints[name], demo_root, tmp_path)
    assert code == 2 and 'Traceback' not in err
    assert err.strip().splitlines()[-1].startswith(
        f'error: checkpoint {checkpoints[name]} {reason}')
    assert 'does not fit' not in err  # a file cut short is not called a mismatch


def test_generalisation_tool_refuses_weights_of_another_model(checkpoints, demo_root, tmp_path):
    res = run_tool('tools/analysis_tools/generalisation.py', '--models',
                   f"c={NANONET_C}:{checkpoints['nanonet-a']}", '--data', f'demo={demo_root}',
                   '--out-dir', str(tmp_path / 'table'))
    assert res.returncode == 2 and 'does not fit config' in res.stderr.strip().splitlines()[-1]
    assert not (tmp_path / 'table' / 'generalisation.md').exists()
    a_file = tmp_path / 'a_file'
    a_file.write_text('')
    res = run_tool('tools/analysis_tools/generalisation.py', '--models',
                   f"c={NANONET_A}:{checkpoints['nanonet-a']}", '--data', f'demo={demo_root}',
                   '--out-dir', str(a_file))
    assert res.returncode == 2 and 'Traceback' not in res.stderr
    assert res.stderr.strip() == f'error: cannot create --out-dir {a_file} (File exists)'


def test_training_on_empty_masks_warns(demo_root, tmp_path):
    """Measured: a training set whose masks were all empty trained two epochs at a constant
    loss of 1.0000 without a warning."""
    import shutil

    import cv2
    import numpy as np
    root = tmp_path / 'empty'
    shutil.copytree(demo_root, root)
    for mask in (root / 'masks').iterdir():
        cv2.imwrite(str(mask), np.zeros_like(cv2.imread(str(mask), cv2.IMREAD_UNCHANGED)))
    res = run_tool('tools/train.py', NANONET_A, '--work-dir', str(tmp_path / 'run'),
                   '--cfg-options', f'train_dataloader.dataset.data_root={root}',
                   f'val_dataloader.dataset.data_root={root}', 'train_cfg.max_epochs=1',
                   'train_dataloader.batch_size=4', 'train_dataloader.num_workers=0',
                   'train_dataloader.persistent_workers=False')
    assert res.returncode == 0, res.stderr[-3000:]
    log = res.stdout + res.stderr
    assert 'epoch 1: no ground-truth mask of the training set held a polyp pixel' in log
    assert 'epoch 1: the loss did not move (1.0000 at every one of 3 iterations)' in log


def test_misspelt_cfg_option_is_named(demo_root, tmp_path):
    """Measured: a typo'd --cfg-options key ended in a TypeError traceback."""
    res = run_tool('tools/train.py', NANONET_A, '--work-dir', str(tmp_path), '--cfg-options',
                   'model.decode_head.bridge_chanels=64')
    assert res.returncode == 2 and 'Traceback' not in res.stderr
    line = res.stderr.strip().splitlines()[-1]
    assert line.startswith(f'error: {NANONET_A}: ') and "'bridge_chanels'" in line
