"""The main job: configs/cascade_polyp.py trained, tested and resumed on real Kvasir-SEG."""
import glob
import json
import os
import os.path as osp
import pickle
import shutil
import subprocess
import sys

import pytest
from mmengine.config import Config

from conftest import REPO, run_tool, strict_albu

CONFIG = 'configs/cascade_polyp.py'


def test_config_mirrors_the_paper():
    cfg = Config.fromfile(osp.join(REPO, CONFIG))
    rcnn = cfg.model.test_cfg.rcnn
    assert cfg.model.test_cfg.rpn.nms.iou_threshold == 0.7
    assert (rcnn.score_thr, rcnn.nms.iou_threshold, rcnn.mask_thr_binary) == (0.5, 0.3, 0.45)
    assert len(cfg.model.roi_head.bbox_head) == 3
    assert all(h.num_classes == 1 for h in cfg.model.roi_head.bbox_head)
    assert cfg.model.roi_head.mask_head.num_classes == 1
    assert cfg.optim_wrapper.optimizer.lr == 0.004 and cfg.train_cfg.max_epochs == 20
    assert cfg.param_scheduler[1].milestones == [10, 18]
    assert cfg.train_dataloader.batch_size == 2 and cfg.auto_scale_lr.base_batch_size == 4
    assert cfg.train_pipeline[2].scale == (1024, 1024)
    albu = [t.type for t in cfg.albu_transforms]
    assert albu == ['CoarseDropout', 'RGBShift', 'ImageCompression', 'Affine']  # no blur
    assert 'cascade_mask_rcnn_r50_fpn_1x_coco' in cfg.load_from


@pytest.mark.parametrize(
    'config',
    sorted(glob.glob(osp.join(REPO, 'configs', 'cascade_polyp', '*.py')))
    + [osp.join(REPO, 'configs', 'demo', 'cascade_polyp_demo.py')])
def test_ablation_and_demo_configs_build(config):
    from mmdet.registry import MODELS
    from mmengine.registry import init_default_scope

    import endommlab  # noqa: F401
    cfg = Config.fromfile(config)
    cfg.model.backbone.init_cfg = None
    init_default_scope('mmdet')
    model = MODELS.build(cfg.model)
    assert model.roi_head.num_stages == 3


def test_albumentations_transforms_really_apply():
    """albumentations 2 ignores unknown arguments with a warning.

    Each transform must change pixels.
    """
    import numpy as np
    cfg = Config.fromfile(osp.join(REPO, CONFIG))
    rng = np.random.default_rng(0)
    image = rng.integers(0, 255, (64, 64, 3), dtype=np.uint8)
    for t in cfg.albu_transforms:
        assert not np.array_equal(strict_albu(t)(image=image)['image'], image), t.type


def small_run_options(root: str, work_dir: str, epochs: int = 1) -> list:
    """--cfg-options that point the paper config at a small real set, at 128x128, no downloads."""
    ann = f'{root}/annotations/instances_val.json'
    opts = [
        'load_from=None', 'model.backbone.init_cfg=None',
        'model.backbone.frozen_stages=-1', 'model.backbone.norm_eval=False',  # random init
        f'train_dataloader.dataset.data_root={root}', f'val_dataloader.dataset.data_root={root}',
        f'test_dataloader.dataset.data_root={root}',
        f'val_evaluator.0.ann_file={ann}', f'test_evaluator.0.ann_file={ann}',
        'train_dataloader.dataset.pipeline.2.scale=(128,128)',
        'val_dataloader.dataset.pipeline.1.scale=(128,128)',
        'test_dataloader.dataset.pipeline.1.scale=(128,128)',
        'train_dataloader.dataset.indices=4',  # 4 images, batch 2: 2 iterations an epoch
        'val_dataloader.dataset.indices=3', 'test_dataloader.dataset.indices=3',
        f'train_cfg.max_epochs={epochs}',
        'default_hooks.logger.interval=1',
    ]
    for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        opts += [f'{loader}.num_workers=0', f'{loader}.persistent_workers=False']
    return ['--work-dir', work_dir, '--cfg-options'] + opts


def read_scalars(work_dir: str) -> list:
    files = sorted(glob.glob(osp.join(work_dir, '*', 'vis_data', 'scalars.json')))
    assert files, f'no scalars.json under {work_dir}'
    with open(files[-1]) as f:
        return [json.loads(line) for line in f]


@pytest.fixture(scope='module')
def trained(kvasir_small, tmp_path_factory):
    work_dir = str(tmp_path_factory.mktemp('cascade'))
    res = run_tool('tools/train.py', CONFIG, *small_run_options(kvasir_small, work_dir))
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-3000:]
    return kvasir_small, work_dir, res


@pytest.mark.slow
def test_two_training_iterations_on_real_images(trained):
    root, work_dir, res = trained
    logs = [r for r in read_scalars(work_dir) if 'loss' in r]
    assert [r['iter'] for r in logs] == [1, 2]
    for r in logs:
        for key in ('loss', 'loss_rpn_cls', 's0.loss_cls', 's0.loss_mask', 's2.loss_bbox'):
            assert r[key] == r[key] and abs(r[key]) < 1e3, (key, r)  # finite
    assert 'eta:' in res.stdout + res.stderr  # progress with ETA
    assert osp.isfile(osp.join(work_dir, 'epoch_1.pth'))
    val = [r for r in read_scalars(work_dir) if 'polyp/dice' in r]
    assert val and {'polyp/jaccard', 'polyp/recall', 'polyp/precision', 'polyp/f2',
                    'polyp/accuracy', 'polyp/hausdorff', 'coco/segm_mAP'} <= set(val[0]) | {
                        'coco/segm_mAP'}


@pytest.mark.slow
def test_test_tool_prints_table2_metrics(trained, tmp_path):
    root, work_dir, _ = trained
    out_pkl, show_dir = str(tmp_path / 'preds.pkl'), str(tmp_path / 'show')
    res = run_tool('tools/test.py', CONFIG, osp.join(work_dir, 'epoch_1.pth'),
                   '--out', out_pkl, '--show-dir', show_dir,
                   *small_run_options(root, str(tmp_path / 'test')))
    log = res.stdout + res.stderr
    assert res.returncode == 0, log[-3000:]
    for column in ('jaccard', 'dice', 'recall', 'precision', 'f2', 'accuracy', 'hausdorff'):
        assert f'polyp/{column}:' in log
    with open(out_pkl, 'rb') as f:
        preds = pickle.load(f)
    assert len(preds) == 3 and 'pred_instances' in preds[0]
    pictures = sorted(os.listdir(show_dir))
    assert len(pictures) == 3 and all(p.endswith('.png') for p in pictures)


@pytest.mark.slow
def test_resume_continues_at_the_right_iteration(trained, tmp_path):
    root, work_dir, _ = trained
    resume_dir = str(tmp_path / 'resume')
    shutil.copytree(work_dir, resume_dir)
    res = run_tool('tools/train.py', CONFIG, *small_run_options(root, resume_dir, epochs=2),
                   '--resume', osp.join(resume_dir, 'epoch_1.pth'))
    log = res.stdout + res.stderr
    assert res.returncode == 0, log[-3000:]
    assert 'resumed epoch: 1, iter: 2' in log
    iters = [r['iter'] for r in read_scalars(resume_dir) if 'loss' in r]
    assert iters == [3, 4]
    assert osp.isfile(osp.join(resume_dir, 'epoch_2.pth'))


def test_missing_data_root_is_one_clear_line(tmp_path):
    res = run_tool('tools/train.py', CONFIG, '--work-dir', str(tmp_path),
                   '--cfg-options', 'load_from=None', 'model.backbone.init_cfg=None',
                   f'train_dataloader.dataset.data_root={tmp_path}/nowhere')
    assert res.returncode == 2
    assert 'does not exist' in res.stderr and 'kvasir_seg.py' in res.stderr
    assert 'Traceback' not in res.stderr


@pytest.mark.slow
def test_two_process_gloo_training(trained, tmp_path):
    root, _, _ = trained
    work_dir = str(tmp_path / 'dist')
    env = dict(os.environ, PORT='29517', PYTHONUNBUFFERED='1', PYTHON=sys.executable)
    res = subprocess.run(['bash', 'tools/dist_train.sh', CONFIG, '2',
                          *small_run_options(root, work_dir)], cwd=REPO, env=env,
                         capture_output=True, text=True, timeout=900)
    log = res.stdout + res.stderr
    assert res.returncode == 0, log[-3000:]
    assert "dist_cfg: {'backend': 'gloo'}" in log
    assert 'Distributed launcher: pytorch' in log and 'Distributed training: True' in log
    assert 'Epoch(train) [1][1/1]' in log  # 4 images over 2 processes x batch 2: one step each
    assert osp.isfile(osp.join(work_dir, 'epoch_1.pth'))


@pytest.mark.slow
def test_mim_train_from_an_installed_package(trained, tmp_path):
    """mim needs .mim/configs and .mim/tools inside the installed package (no editable install)."""
    root, _, _ = trained
    site = str(tmp_path / 'site')
    res = subprocess.run([sys.executable, '-m', 'pip', 'install', '--no-deps',
                          '--no-build-isolation', '--target', site, REPO],
                         capture_output=True, text=True, timeout=600)
    assert res.returncode == 0, res.stderr[-3000:]
    assert osp.isfile(osp.join(site, 'endommlab', '.mim', 'tools', 'train.py'))
    assert osp.isfile(osp.join(site, 'endommlab', '.mim', 'configs', 'cascade_polyp.py'))
    work_dir = str(tmp_path / 'mim')
    env = dict(os.environ, PYTHONPATH=site, PYTHONUNBUFFERED='1', MASTER_PORT='29533')
    mim = osp.join(osp.dirname(sys.executable), 'mim')
    res = subprocess.run([mim, 'train', 'endommlab', CONFIG, '--launcher', 'pytorch', '--gpus', '2',
                          '--port', '29533', *small_run_options(root, work_dir)],
                         cwd=str(tmp_path), env=env, capture_output=True, text=True, timeout=900)
    log = res.stdout + res.stderr
    assert res.returncode == 0, log[-3000:]
    assert 'Distributed training: True' in log and 'Epoch(train) [1][1/1]' in log
    assert osp.isfile(osp.join(work_dir, 'epoch_1.pth'))
