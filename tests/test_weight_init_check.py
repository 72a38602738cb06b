"""WeightInitCheckHook: where each part's weights come from, and the from-scratch traps."""
import logging
from types import SimpleNamespace

import pytest
from mmdet.registry import MODELS as DET_MODELS
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmseg.registry import MODELS
from torch import nn

import endommlab  # noqa: F401  (registers the components)
from endommlab.engine.hooks import WeightInitCheckHook
from endommlab.engine.hooks.weight_init_check_hook import check_scratch_traps, describe_init
from endommlab.errors import ConfigError
from conftest import REPO

NANONET_C = f'{REPO}/configs/nanonet/nanonet-c_mobilenetv2-0.35_1xb16-200e_kvasir-seg-256x256.py'
SCRATCH_C = (f'{REPO}/configs/nanonet/'
             'nanonet-c_mobilenetv2-0.35-scratch_1xb16-200e_kvasir-seg-256x256.py')


def build(path: str, **backbone):
    cfg = Config.fromfile(path)
    cfg.model.backbone.update(backbone)
    init_default_scope('mmseg')
    return MODELS.build(cfg.model)


def fake_runner(model, load_from=None, resume=False):
    return SimpleNamespace(model=model, _load_from=load_from, _resume=resume,
                           logger=logging.getLogger('weight-init-test'))


def test_log_names_the_source_of_every_part(tmp_path, caplog):
    ckpt = tmp_path / 'encoder.pth'
    ckpt.write_bytes(b'')
    model = build(NANONET_C, init_cfg=dict(type='Pretrained', checkpoint=str(ckpt)))
    assert describe_init(model) == [('backbone', f'pretrained: {ckpt}'),
                                    ('decode_head', 'random init')]
    assert describe_init(model, load_from='x.pth')[-1] == (
        '(all)', 'then overwritten by load_from: x.pth')
    with caplog.at_level(logging.INFO, logger='weight-init-test'):
        WeightInitCheckHook().before_run(fake_runner(model))  # pretrained Keras momenta: fine
    assert 'weights at the start of training' in caplog.text and str(ckpt) in caplog.text


def test_missing_pretrained_file_is_one_clear_error():
    model = build(NANONET_C)  # the paper config: checkpoints/keras_mobilenet_v2_0.35_... absent
    with pytest.raises(ConfigError, match=r'keras_mobilenet_v2_0.35_224_no_top.pth of '
                                          r'model.backbone does not exist.*init_cfg=None'):
        WeightInitCheckHook().before_run(fake_runner(model))


def test_keras_momenta_from_scratch_are_refused_and_scratch_config_passes():
    with pytest.raises(ConfigError, match=r'backbone: BN momentum 0.001 \(Keras 0.999\)'):
        check_scratch_traps(build(NANONET_C, init_cfg=None))
    check_scratch_traps(build(SCRATCH_C))
    # a whole-model load_from means the weights are not random: no refusal
    WeightInitCheckHook().before_run(fake_runner(build(NANONET_C, init_cfg=None), 'model.pth'))


def test_frozen_and_eval_mode_layers_from_scratch_are_refused():
    init_default_scope('mmdet')
    backbone = dict(type='ResNet', depth=18, frozen_stages=1, norm_eval=True)  # mmdet's defaults
    wrapper = nn.Module()
    wrapper.backbone = DET_MODELS.build(backbone)
    with pytest.raises(ConfigError, match=r'backbone: norm_eval=True; backbone: frozen_stages=1.*'
                                          r'model.backbone.norm_eval=False '
                                          r'model.backbone.frozen_stages=-1'):
        check_scratch_traps(wrapper)
    wrapper.backbone = DET_MODELS.build(dict(backbone, frozen_stages=-1, norm_eval=False))
    check_scratch_traps(wrapper)


def test_tensorflow_momentum_from_scratch_is_a_warning(caplog):
    """mmpretrain's MobileNetV3 (BN momentum 0.01) from scratch: slow statistics, not refused."""
    from mmpretrain.registry import MODELS as CLS_MODELS
    cfg = Config.fromfile(
        f'{REPO}/configs/hybrid_loss_classifier/mobilenetv3-large_raw_hyperkvasir.py')
    cfg.model.backbone.init_cfg = None
    init_default_scope('mmpretrain')
    model = CLS_MODELS.build(cfg.model)
    with caplog.at_level(logging.WARNING, logger='weight-init-test'):
        WeightInitCheckHook().before_run(fake_runner(model))
    assert 'backbone: random-init BN layers with momentum below 0.1' in caplog.text
    assert 'model.backbone.norm_cfg.momentum=0.1' in caplog.text
    cfg.model.backbone.norm_cfg.momentum = 0.1
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger='weight-init-test'):
        WeightInitCheckHook().before_run(fake_runner(CLS_MODELS.build(cfg.model)))
    assert 'momentum below' not in caplog.text
