"""Every segmentation config learns: overfit a few real images, then score them the standard way.

Each config listed is trained from random initialisation on 8 real Kvasir-SEG images at
64x64 (augmentation off, so that a bounded number of steps can fit them), then
evaluated by the same path as ``tools/test.py``: ``build_runner(mode='test')``
with the saved checkpoint, the config's own test pipeline (at 64x64), its
data preprocessor, evaluation mode, its threshold / post-processing, and the
EndoCV2021 Dice at the original image size. A model that fits its training
images must score them well in evaluation mode too: this is what fails when BN
statistics do not track the weights (Keras momenta from scratch), when labels are
read as 0/255, when the sigmoid/softmax output or the threshold is misread, or
when predictions are not resized back to the original size.

Bound: Dice >= 0.8. Downsampling the 8 ground-truth masks to 64x64 and back
gives 0.98 (0.94 for the worst image), so 0.8 leaves room for an imperfect fit
while a broken path scores far lower (the Keras-momentum NanoNet: 0.00).
"""
import os.path as osp
from typing import Dict

import pytest
import torch
from mmengine.config import Config

from conftest import REPO
from endommlab.apis import build_runner
from endommlab.errors import ConfigError

SIZE = 64
NUM_IMAGES = 8
MIN_DICE = 0.8

#: config -> (steps, learning rate): what fits 8 images from scratch in bounded time.
#: Reverse attention, DivergentNets, TriUNet and the ensemble are not covered yet.
SEG_CONFIGS = {
    'nanonet/nanonet-a_mobilenetv2-0.5-scratch_1xb16-200e_kvasir-seg-256x256.py': (100, 3e-3),
    'nanonet/nanonet-b_mobilenetv2-0.35-scratch_1xb16-200e_kvasir-seg-256x256.py': (100, 3e-3),
    'nanonet/nanonet-c_mobilenetv2-0.35-scratch_1xb16-200e_kvasir-seg-256x256.py': (100, 3e-3),
}


def _model_root(cfg: Config) -> Config:
    """The segmentor config (inside a post-processing wrapper if there is one)."""
    return cfg.model.get('segmentor', cfg.model)


def _scaled(pipeline: list) -> list:
    return [dict(t, scale=(SIZE, SIZE)) if t['type'] == 'Resize' else t for t in pipeline]


def overfit_options(config: str, data_root: str, steps: int, lr: float) -> Dict:
    """``--cfg-options`` that turn ``config`` into an overfitting run on ``data_root``."""
    cfg = Config.fromfile(osp.join(REPO, 'configs', config))
    prefix = 'model.segmentor' if 'segmentor' in cfg.model else 'model'
    data = dict(data_root=data_root, ann_file='splits/train.txt', indices=NUM_IMAGES)
    loader = dict(num_workers=0, persistent_workers=False)
    options = {
        f'{prefix}.backbone.init_cfg': None,
        # InfiniteSampler: mmengine's iteration loop sleeps 2 s at every end of an epoch
        'train_dataloader': dict(batch_size=NUM_IMAGES, **loader,
                                 sampler=dict(_delete_=True, type='InfiniteSampler', shuffle=True),
                                 dataset=dict(
            **data, pipeline=[dict(type='LoadImageFromFile'), dict(type='LoadAnnotations'),
                              dict(type='Resize', scale=(SIZE, SIZE), keep_ratio=False),
                              dict(type='PackSegInputs')])),
        'train_cfg': dict(_delete_=True, type='IterBasedTrainLoop', max_iters=steps,
                          val_interval=steps + 1),
        'val_cfg': None, 'val_dataloader': None, 'val_evaluator': None,
        'param_scheduler': None,
        'optim_wrapper.optimizer.lr': lr,
        'default_hooks.checkpoint': dict(_delete_=True, type='CheckpointHook', by_epoch=False,
                                         interval=steps),
        'default_hooks.logger.interval': 25,
        'log_processor.by_epoch': False,
        'custom_hooks': [h for h in cfg.get('custom_hooks', [])
                         if h['type'] not in ('TrainEarlyStoppingHook', )],
    }
    if _model_root(cfg).get('data_preprocessor', {}).get('batch_augments'):
        options[f'{prefix}.data_preprocessor.batch_augments'] = None  # fixed size for fitting
    return options


def evaluation_options(config: str, data_root: str) -> Dict:
    """Point the config's own test loader at the training images, at SIZE."""
    cfg = Config.fromfile(osp.join(REPO, 'configs', config))
    return {'test_dataloader.dataset': dict(
                data_root=data_root, ann_file='splits/train.txt', indices=NUM_IMAGES,
                pipeline=_scaled(cfg.test_dataloader.dataset.pipeline)),
            'test_dataloader.num_workers': 0, 'test_dataloader.persistent_workers': False}


def train_then_test(config: str, data_root: str, work_dir: str, steps: int,
                    lr: float) -> Dict[str, float]:
    """Overfit ``config`` from random init, then return its tools/test.py metrics."""
    torch.manual_seed(0)
    options = overfit_options(config, data_root, steps, lr)
    path = osp.join(REPO, 'configs', config)
    runner = build_runner(path, mode='train', work_dir=work_dir, cfg_options=options)
    runner.train()
    checkpoint = osp.join(work_dir, f'iter_{steps}.pth')
    test_runner = build_runner(path, mode='test', work_dir=osp.join(work_dir, 'test'),
                               checkpoint=checkpoint,
                               cfg_options=evaluation_options(config, data_root))
    return test_runner.test()


@pytest.mark.parametrize('config', list(SEG_CONFIGS), ids=lambda c: osp.basename(c)[:24])
def test_overfitted_images_score_high_in_evaluation_mode(config, kvasir_small, tmp_path):
    steps, lr = SEG_CONFIGS[config]
    metrics = train_then_test(config, kvasir_small, str(tmp_path), steps, lr)
    assert metrics['polyp/dice'] >= MIN_DICE, metrics


def test_keras_momenta_from_scratch_are_refused(kvasir_small, tmp_path):
    """The measured trap: the paper config with only ``init_cfg=None`` predicted nothing."""
    config = 'nanonet/nanonet-a_mobilenetv2-0.5_1xb16-200e_kvasir-seg-256x256.py'
    with pytest.raises(ConfigError, match=r'backbone: BN momentum 0.001 .*'
                                          r'model.backbone.norm_cfg.momentum=0.1'):
        train_then_test(config, kvasir_small, str(tmp_path), 2, 1e-3)
