"""DivergentNets and TriUNet (Thambawita et al., EndoCV 2021): loss, encoder, decoders,
segmentors, augmentation, metric, configs; training and ensemble testing on real Kvasir-SEG."""
import glob
import math
import os.path as osp
import re
import runpy
import sys
import warnings
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmengine.structures import PixelData
from mmseg.models.utils import resize
from mmseg.registry import METRICS, MODELS, TRANSFORMS
from mmseg.structures import SegDataSample

import endommlab  # noqa: F401  (registers the components)
from endommlab.errors import ConfigError
from conftest import REPO, run_tool

CFG_DIR = osp.join(REPO, 'configs', 'divergentnets')
MEMBERS = ['unetpp', 'fpn', 'deeplabv3', 'deeplabv3plus', 'triunet', 'triunetpp']
TRAIN_SIZE = 32  # training runs: 32x32 real images, batch 2 (SE-ResNeXt-50 is heavy on 2 CPU cores)


def member_config(name: str) -> str:
    return osp.join(CFG_DIR, f'{name}_se-resnext50_kvasir-256x256.py')


@pytest.fixture(autouse=True)
def mmseg_scope():
    init_default_scope('mmseg')


@pytest.fixture(scope='module', autouse=True)
def one_thread():
    """One intra-op thread: on the shared 2-core machines two OpenMP threads competing with
    other processes run SE-ResNeXt several times slower than one."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def tool(*args: str):
    """``run_tool`` with one OpenMP thread (see :func:`one_thread`)."""
    return run_tool(*args, env=dict(OMP_NUM_THREADS='1'))


# ----------------------------------------------------------------------------- loss (paper Eq. 1)

def logits_for(prob: torch.Tensor) -> torch.Tensor:
    """Two-channel logits whose softmax polyp channel equals ``prob``."""
    return torch.stack([torch.zeros_like(prob), torch.log(prob / (1 - prob))], dim=1)


def build_loss(**kwargs):
    return MODELS.build(dict(type='SingleChannelDiceLoss', **kwargs))


def test_single_channel_dice_matches_hand_computation():
    prob = torch.tensor([[[0.9, 0.2], [0.6, 0.1]]])
    label = torch.tensor([[[1, 0], [1, 1]]])
    # tp = .9 + .6 + .1 = 1.6, fp = .2, fn = .1 + .4 + .9 = 1.4, eps = 1
    expected = 1 - (2 * 1.6 + 1) / (2 * 1.6 + 0.2 + 1.4 + 1)
    assert build_loss()(logits_for(prob), label).item() == pytest.approx(expected, abs=1e-6)
    assert build_loss(eps=0.5)(logits_for(prob), label).item() == pytest.approx(
        1 - 3.7 / 5.3, abs=1e-6)


def test_single_channel_dice_ignore_index_and_channel_choice():
    prob = torch.tensor([[[0.9, 0.2], [0.6, 0.1]]])
    # pixel (1, 1) ignored: tp = 1.5, fp = .2, fn = .5
    label = torch.tensor([[[1, 0], [1, 255]]])
    assert build_loss()(logits_for(prob), label).item() == pytest.approx(
        1 - 4.0 / (3.0 + 0.2 + 0.5 + 1), abs=1e-6)
    # background Dice (channel 0): p0 = 1 - p, t0 = 1 - t: tp = .8, fp = .1 + .4 + .9, fn = .2
    assert build_loss(channel=0)(logits_for(prob), torch.tensor([[[1, 0], [1, 1]]])).item() == \
        pytest.approx(1 - 2.6 / (1.6 + 1.4 + 0.2 + 1), abs=1e-6)


def test_single_channel_dice_batch_versus_per_image_reduction():
    prob = torch.tensor([[[0.9, 0.2]], [[0.3, 0.4]]])
    label = torch.tensor([[[1, 0]], [[0, 0]]])
    # image 1: tp .9 fp .2 fn .1 -> 1 - 2.8/3.1; image 2: tp 0 fp .7 fn 0 -> 1 - 1/1.7
    per_image = ((1 - 2.8 / 3.1) + (1 - 1 / 1.7)) / 2
    batch = 1 - (1.8 + 1) / (1.8 + 0.9 + 0.1 + 1)  # tp .9, fp .9, fn .1 summed over the batch
    assert build_loss(per_image=True)(logits_for(prob), label).item() == pytest.approx(per_image)
    assert build_loss()(logits_for(prob), label).item() == pytest.approx(batch)


def test_single_channel_dice_sigmoid_output_and_limits():
    prob = torch.tensor([[[0.8, 0.3]]])
    logit = torch.log(prob / (1 - prob))[:, None]  # one channel
    label = torch.tensor([[[1, 0]]])
    assert build_loss(use_sigmoid=True)(logit, label).item() == pytest.approx(
        1 - (1.6 + 1) / (1.6 + 0.3 + 0.2 + 1), abs=1e-6)
    perfect = torch.tensor([[[[-30., 30.]], [[30., -30.]]]])
    assert build_loss(eps=0)(perfect, label).item() == pytest.approx(0, abs=1e-6)
    with pytest.raises(ConfigError):
        build_loss(channel=2)(logits_for(prob), label)
    assert build_loss().loss_name == 'loss_dice'


def test_single_channel_dice_is_differentiable_and_decreases():
    torch.manual_seed(0)
    label = (torch.rand(2, 8, 8) > 0.6).long()
    logits = torch.zeros(2, 2, 8, 8, requires_grad=True)
    loss_fn = build_loss()
    opt = torch.optim.Adam([logits], lr=0.5)
    values = []
    for _ in range(5):
        loss = loss_fn(logits, label)
        opt.zero_grad()
        loss.backward()
        opt.step()
        values.append(loss.item())
    assert all(math.isfinite(v) for v in values)
    assert values[-1] < values[0] - 0.1


# ----------------------------------------------------------------------------- encoder

def test_seresnext_encoder_returns_stem_and_four_stages():
    from endommlab.models.backbones import SEResNeXtEncoder
    x = torch.randn(1, 3, 64, 64)
    expected = {  # (strides, dilations): stage strides
        ((1, 2, 2, 2), (1, 1, 1, 1)): [4, 8, 16, 32],
        ((1, 2, 2, 1), (1, 1, 1, 2)): [4, 8, 16, 16],  # DeepLabV3+: output stride 16
        ((1, 2, 1, 1), (1, 1, 2, 4)): [4, 8, 8, 8],  # DeepLabV3: output stride 8
    }
    for (strides, dilations), out_strides in expected.items():
        enc = SEResNeXtEncoder(depth=50, strides=strides, dilations=dilations).eval()
        with torch.no_grad():
            feats = enc(x)
        assert [tuple(f.shape) for f in feats] == [(1, 64, 32, 32)] + [
            (1, c, 64 // s, 64 // s) for c, s in zip((256, 512, 1024, 2048), out_strides)]
    assert sum(p.numel() for p in enc.parameters()) == 25510896  # = SMP se_resnext50_32x4d encoder


def tiny_encoder(**kwargs) -> dict:
    """An SE-ResNeXt small enough for unit tests: channels 16 (stem), 32, 64, 128, 256."""
    return dict(type='SEResNeXtEncoder', depth=50, groups=2, width_per_group=4, stem_channels=16,
                base_channels=8, **kwargs)


TINY_CHANNELS = (16, 32, 64, 128, 256)


def cadene_name(key: str) -> str:
    """mmpretrain key -> the key the Cadene/SMP ImageNet checkpoint uses (hand-written inverse)."""
    key = re.sub(r'^conv1\.', 'layer0.conv1.', key)
    key = re.sub(r'^bn1\.', 'layer0.bn1.', key)
    key = key.replace('.se_layer.conv1.conv.', '.se_module.fc1.')
    return key.replace('.se_layer.conv2.conv.', '.se_module.fc2.')


def test_encoder_loads_cadene_checkpoint_and_expands_first_conv(tmp_path):
    torch.manual_seed(0)
    source = MODELS.build(tiny_encoder())
    cadene = {cadene_name(k): v for k, v in source.state_dict().items()}
    assert 'layer0.conv1.weight' in cadene and 'layer1.0.se_module.fc1.weight' in cadene
    cadene['last_linear.weight'] = torch.zeros(10, 256)
    ckpt = tmp_path / 'se_resnext_cadene.pth'
    torch.save(cadene, ckpt)
    rgb = MODELS.build(tiny_encoder(init_cfg=dict(type='Pretrained', checkpoint=str(ckpt))))
    rgb.init_weights()
    for key, value in source.state_dict().items():
        assert torch.equal(rgb.state_dict()[key], value), key
    four = MODELS.build(tiny_encoder(in_channels=4,
                                     init_cfg=dict(type='Pretrained', checkpoint=str(ckpt))))
    four.init_weights()
    w = source.conv1.weight
    expected = torch.cat([w, w[:, :1]], dim=1) * 3 / 4  # SMP: channel i <- i % 3, scaled 3/4
    assert torch.allclose(four.conv1.weight, expected)
    assert torch.equal(four.layer4[0].conv2.weight, source.layer4[0].conv2.weight)


# ----------------------------------------------------------------------------- decoders

SMP_PARAMS = {  # parameters of smp 0.6.0 <Model>('se_resnext50_32x4d', classes=2), measured
    'unetpp': 50988754, 'fpn': 28119026, 'deeplabv3': 41636850, 'deeplabv3plus': 28680706}
HEADS = {
    'UNetHead': dict(type='UNetHead'),
    'UNetPlusPlusHead': dict(type='UNetPlusPlusHead'),
    'SemanticFPNHead': dict(type='SemanticFPNHead'),
    'DeepLabV3Head': dict(type='DeepLabV3Head'),
    'DeepLabV3PlusHead': dict(type='DeepLabV3PlusHead'),
}
FEATURE_STRIDES = {  # features the head gets from the encoder (stem, C2..C5) for a 64x64 input
    'DeepLabV3Head': (2, 4, 8, 8, 8), 'DeepLabV3PlusHead': (2, 4, 8, 16, 16)}
HEAD_PARAMS = {  # decoder + segmentation head of smp 0.6.0 (2 classes)
    'UNetHead': 9012928 + 290, 'UNetPlusPlusHead': 25477568 + 290,
    'SemanticFPNHead': 2607872 + 258, 'DeepLabV3Head': 16125440 + 514,
    'DeepLabV3PlusHead': 3169296 + 514}


@pytest.mark.parametrize('head', sorted(HEADS))
def test_decoder_outputs_two_classes_at_input_resolution(head):
    torch.manual_seed(0)
    strides = FEATURE_STRIDES.get(head, (2, 4, 8, 16, 32))
    feats = [torch.randn(2, c, 64 // s, 64 // s)
             for c, s in zip((64, 256, 512, 1024, 2048), strides)]
    model = MODELS.build(dict(HEADS[head], num_classes=2, out_channels=2,
                              loss_decode=dict(type='SingleChannelDiceLoss')))
    assert sum(p.numel() for p in model.parameters()) == HEAD_PARAMS[head]
    out = model(feats)
    assert out.shape == (2, 2, 64, 64)
    out.mean().backward()
    assert all(p.grad is not None for p in model.parameters())


def test_unet_heads_follow_the_encoder_channels():
    feats = [torch.randn(1, c, 64 // s, 64 // s) for c, s in zip(TINY_CHANNELS, (2, 4, 8, 16, 32))]
    for head in ('UNetHead', 'UNetPlusPlusHead'):
        model = MODELS.build(dict(type=head, in_channels=TINY_CHANNELS,
                                  decoder_channels=(32, 16, 8, 8, 4), num_classes=2,
                                  out_channels=2, loss_decode=dict(type='SingleChannelDiceLoss')))
        assert model(feats).shape == (1, 2, 64, 64)
    with pytest.raises(ConfigError):
        MODELS.build(dict(type='UNetPlusPlusHead', decoder_channels=(8, 4), num_classes=2,
                          out_channels=2))


# ----------------------------------------------------------------------------- segmentors

def tiny_node_cfg(head: str = 'UNetHead', out_channels: int = 2, **head_kwargs) -> dict:
    loss = dict(type='SingleChannelDiceLoss', use_sigmoid=out_channels == 1)
    in_channels = TINY_CHANNELS[1:] if head == 'SemanticFPNHead' else TINY_CHANNELS
    return dict(backbone=tiny_encoder(),
                decode_head=dict(type=head, in_channels=in_channels, num_classes=2,
                                 out_channels=out_channels,
                                 threshold=0.5 if out_channels == 1 else None,
                                 loss_decode=loss, **head_kwargs))


def data_samples(n: int, size: int, ori=None):
    samples = []
    for i in range(n):
        s = SegDataSample(metainfo=dict(img_shape=(size, size), ori_shape=ori or (size, size),
                                        pad_shape=(size, size), padding_size=[0, 0, 0, 0]))
        s.gt_sem_seg = PixelData(data=(torch.rand(1, size, size) > 0.5).long())
        samples.append(s)
    return samples


def test_triunet_chains_three_unets_end_to_end():
    torch.manual_seed(0)
    model = MODELS.build(dict(type='TriUNet', **tiny_node_cfg(),
                              test_cfg=dict(mode='whole', return_intermediate=True)))
    assert model.unet3.backbone.conv1.in_channels == 4
    assert model.unet1.backbone.conv1.in_channels == 3
    assert not torch.equal(model.unet1.backbone.conv1.weight, model.unet2.backbone.conv1.weight)
    x = torch.randn(2, 3, 64, 64)
    model.eval()
    with torch.no_grad():
        v1, v2, logits = model.forward_nodes(x)
        assert v1.shape == v2.shape == logits.shape == (2, 2, 64, 64)
        assert torch.allclose(v1.sum(1), torch.ones(2, 64, 64)) and not torch.allclose(v1, v2)
        assert torch.allclose(logits, model.unet3._forward(torch.cat([v1, v2], dim=1)))
        assert torch.allclose(model._forward(x), logits)
        out = model.predict(x, data_samples(2, 64, ori=(80, 96)))
    assert out[0].pred_sem_seg.data.shape == (1, 80, 96)
    assert out[0].seg_probs_v1.data.shape == (2, 80, 96)
    assert torch.allclose(out[0].seg_probs_v2.data.sum(0), torch.ones(80, 96), atol=1e-5)
    model.train()
    losses = model.loss(x, data_samples(2, 64))
    assert set(losses) == {'decode.loss_dice', 'decode.acc_seg'}
    losses['decode.loss_dice'].backward()
    for node in (model.unet1, model.unet2, model.unet3):  # gradients reach all three UNets
        assert node.backbone.conv1.weight.grad.abs().sum() > 0


def test_triunet_plusplus_and_one_channel_nodes():
    model = MODELS.build(dict(type='TriUNet', **tiny_node_cfg('UNetPlusPlusHead'))).eval()
    with torch.no_grad():
        assert model._forward(torch.randn(1, 3, 64, 64)).shape == (1, 2, 64, 64)
    binary = MODELS.build(dict(type='TriUNet', **tiny_node_cfg(out_channels=1))).eval()
    assert binary.unet3.backbone.conv1.in_channels == 2  # two sigmoid maps
    with torch.no_grad():
        out = binary.predict(torch.randn(1, 3, 64, 64), data_samples(1, 64))
    assert set(out[0].pred_sem_seg.data.unique().tolist()) <= {0, 1}


def write_tiny_member(tmp_path, name: str, head: str = 'SemanticFPNHead', out_channels: int = 2,
                      **head_kwargs) -> str:
    """A member config file (tiny encoder) inheriting the real FPN member config."""
    node = tiny_node_cfg(head, out_channels, **head_kwargs)
    path = tmp_path / f'{name}.py'
    path.write_text(f"_base_ = ['{member_config('fpn')}']\n"
                    f"model = dict(backbone=dict(_delete_=True, **{node['backbone']!r}),\n"
                    f"             decode_head=dict(_delete_=True, **{node['decode_head']!r}))\n")
    return str(path)


def test_divergentnets_mean_of_member_probabilities(tmp_path):
    torch.manual_seed(0)
    configs = [write_tiny_member(tmp_path, 'fpn_tiny'),
               write_tiny_member(tmp_path, 'unet_tiny', 'UNetHead'),
               write_tiny_member(tmp_path, 'sigmoid_tiny', 'UNetHead', out_channels=1)]
    members = []
    for i, cfg in enumerate(configs):  # trained members: checkpoints with random weights
        member = MODELS.build(Config.fromfile(cfg).model)
        ckpt = tmp_path / f'member{i}.pth'
        torch.save({'state_dict': member.state_dict()}, ckpt)
        members.append(dict(config=cfg, checkpoint=str(ckpt)))
    ens = MODELS.build(dict(type='DivergentNets', members=members, load_member_checkpoints=True,
                            test_cfg=dict(member_masks=True)))
    assert ens.member_names == ['fpn_tiny', 'unet_tiny', 'sigmoid_tiny']
    ens.eval()
    x = torch.randint(0, 256, (2, 3, 64, 64)).float()  # raw BGR, as the ensemble stacks it
    with torch.no_grad():
        out = ens.predict(x, data_samples(2, 64, ori=(70, 90)))
        probs, input_probs = [], []
        for member in ens.members:  # by hand: member's own normalisation, softmax/sigmoid
            batch = member.data_preprocessor(
                dict(inputs=list(x), data_samples=data_samples(2, 64, ori=(70, 90))))
            pred = member.predict(batch['inputs'], batch['data_samples'])
            logits = torch.stack([p.seg_logits.data for p in pred])
            probs.append(logits[:, 0] if logits.shape[1] == 1 else logits.softmax(1)[:, 1])
            logits = resize(member._forward(batch['inputs']), size=(64, 64), mode='bilinear',
                            align_corners=False)  # tensor mode: at the input resolution
            input_probs.append(logits[:, 0].sigmoid() if logits.shape[1] == 1 else
                               logits.softmax(1)[:, 1])
        mean = torch.stack(probs).mean(0)
        tensor_out = ens._forward(x)
    for i in range(2):
        assert out[i].seg_logits.data.shape == (1, 70, 90)
        assert torch.allclose(out[i].seg_logits.data[0], mean[i], atol=1e-6)
        assert torch.equal(out[i].pred_sem_seg.data[0], (mean[i] >= 0.5).long())
        assert out[i].member_sem_seg.data.shape == (3, 70, 90)
        assert torch.equal(out[i].member_sem_seg.data.bool(), torch.stack(probs)[:, i] >= 0.5)
    assert tensor_out.shape == (2, 1, 64, 64)  # p as one channel, like seg_logits
    assert torch.allclose(tensor_out[:, 0], torch.stack(input_probs).mean(0), atol=1e-6)


def test_divergentnets_threshold_is_inclusive_and_checks_members(tmp_path):
    cfg = write_tiny_member(tmp_path, 'flat', 'UNetHead')
    member = MODELS.build(Config.fromfile(cfg).model)
    with torch.no_grad():  # logits [0, 0] everywhere: polyp probability exactly 0.5
        member.decode_head.conv_seg.weight.zero_()
        member.decode_head.conv_seg.bias.zero_()
    torch.save({'state_dict': member.state_dict()}, tmp_path / 'flat.pth')
    ens = MODELS.build(dict(type='DivergentNets', load_member_checkpoints=True,
                            members=[dict(config=cfg, checkpoint=str(tmp_path / 'fl*.pth'))]))
    ens.eval()
    with torch.no_grad():
        out = ens.predict(torch.rand(1, 3, 32, 32) * 255)
    assert out[0].seg_logits.data[0].eq(0.5).all() and out[0].pred_sem_seg.data.eq(1).all()
    with pytest.raises(ConfigError, match='matches 0 files'):
        MODELS.build(dict(type='DivergentNets', load_member_checkpoints=True,
                          members=[dict(config=cfg, checkpoint=str(tmp_path / 'none*.pth'))]))
    other = write_tiny_member(tmp_path, 'other', 'SemanticFPNHead')
    with pytest.raises(ConfigError, match='does not fit'):
        MODELS.build(dict(type='DivergentNets', load_member_checkpoints=True,
                          members=[dict(config=other, checkpoint=str(tmp_path / 'flat.pth'))]))
    with pytest.raises(endommlab.errors.EndoMMLabError):
        ens.loss(torch.rand(1, 3, 32, 32), [])


# ----------------------------------------------------------------------------- augmentation

def leaf_transforms(cfgs):
    for t in cfgs:
        if 'transforms' in t:
            yield from leaf_transforms(t['transforms'])
        else:
            yield t


def test_every_configured_albumentation_changes_the_image(kvasir_small):
    import cv2
    cfg = Config.fromfile(member_config('fpn'))
    assert cfg.train_pipeline[2].type == 'AlbuSeg'
    leaves = list(leaf_transforms(cfg.albu_transforms))
    assert [t['type'] for t in leaves] == [
        'HorizontalFlip', 'Affine', 'Resize', 'GaussNoise', 'Perspective', 'CLAHE',
        'RandomBrightnessContrast', 'RandomGamma', 'Sharpen', 'Blur', 'MotionBlur',
        'RandomBrightnessContrast', 'HueSaturationValue']
    image = cv2.imread(sorted(glob.glob(osp.join(kvasir_small, 'images', '*.jpg')))[0])
    image = cv2.resize(image, (128, 112))
    mask = np.zeros(image.shape[:2], np.uint8)
    mask[30:80, 20:60] = 1
    for leaf in leaves:
        with warnings.catch_warnings():
            warnings.simplefilter('error')  # albumentations 2 only warns about bad arguments
            aug = TRANSFORMS.build(dict(type='AlbuSeg', transforms=[dict(leaf, p=1)], seed=1))
        out = aug(dict(img=image.copy(), gt_seg_map=mask.copy(), seg_fields=['gt_seg_map']))
        changed = out['img'].shape != image.shape or not np.array_equal(out['img'], image)
        assert changed, leaf['type']
        assert set(np.unique(out['gt_seg_map'])) <= {0, 1}
    full = TRANSFORMS.build(cfg.train_pipeline[2])
    out = full(dict(img=image.copy(), gt_seg_map=mask.copy(), seg_fields=['gt_seg_map']))
    assert out['img'].shape == (256, 256, 3) and out['gt_seg_map'].shape == (256, 256)
    assert out['img_shape'] == (256, 256)


def test_albuseg_keeps_image_and_mask_aligned_and_rejects_bad_arguments():
    image = np.random.default_rng(0).integers(0, 255, (20, 30, 3), dtype=np.uint8)
    mask = np.zeros((20, 30), np.uint8)
    mask[:, :5] = 1
    flip = TRANSFORMS.build(dict(type='AlbuSeg', transforms=[dict(type='HorizontalFlip', p=1)]))
    out = flip(dict(img=image.copy(), gt_seg_map=mask.copy(), seg_fields=['gt_seg_map']))
    assert np.array_equal(out['img'], image[:, ::-1])
    assert np.array_equal(out['gt_seg_map'], mask[:, ::-1])
    with pytest.raises(ConfigError, match='var_limit'):  # albumentations 1.x argument
        TRANSFORMS.build(dict(type='AlbuSeg',
                              transforms=[dict(type='GaussNoise', var_limit=(10, 50))]))
    with pytest.raises(ConfigError, match='Affine'):  # deprecated in 2.x
        TRANSFORMS.build(dict(type='AlbuSeg', transforms=[dict(type='ShiftScaleRotate')]))
    with pytest.raises(ConfigError, match='IAASharpen'):  # removed in 1.0
        TRANSFORMS.build(dict(type='AlbuSeg', transforms=[dict(type='IAASharpen')]))


# ----------------------------------------------------------------------------- metric

def test_classwise_metric_hand_computed():
    metric = METRICS.build(dict(type='ClassWiseSegMetric'))
    metric.dataset_meta = dict(classes=('background', 'polyp'))
    gt = torch.tensor([[1, 1, 0, 0]])
    pred = torch.tensor([[1, 0, 1, 0]])
    metric.process({}, [dict(pred_sem_seg=dict(data=pred[None]), gt_sem_seg=dict(data=gt[None]))])
    gt2, pred2 = torch.tensor([[1, 1, 1, 0]]), torch.tensor([[1, 1, 1, 1]])
    metric.process({}, [dict(pred_sem_seg=dict(data=pred2[None]), gt_sem_seg=dict(data=gt2[None]))])
    res = metric.evaluate(2)
    # over the set: polyp tp 4, fp 2, fn 1; background tp 1, fp 1, fn 2
    assert res['classwise/IoU_polyp'] == pytest.approx(4 / 7)
    assert res['classwise/Precision_polyp'] == pytest.approx(4 / 6)
    assert res['classwise/Recall_polyp'] == pytest.approx(4 / 5)
    assert res['classwise/F1_polyp'] == pytest.approx(8 / 11)
    assert res['classwise/IoU_background'] == pytest.approx(1 / 4)
    assert res['classwise/Recall_background'] == pytest.approx(1 / 3)
    assert res['classwise/IoU_all'] == pytest.approx((4 / 7 + 1 / 4) / 2)
    assert res['classwise/F1_all'] == pytest.approx((8 / 11 + 2 / 5) / 2)


# ----------------------------------------------------------------------------- configs

def test_configs_mirror_the_paper():
    cfg = Config.fromfile(member_config('triunet'))
    assert cfg.model.type == 'TriUNet' and cfg.model.decode_head.type == 'UNetHead'
    assert cfg.model.decode_head.loss_decode == dict(type='SingleChannelDiceLoss', channel=1,
                                                     eps=1.0)
    assert cfg.model.backbone.init_cfg.type == 'Pretrained'
    assert 'se_resnext50_32x4d' in cfg.model.backbone.init_cfg.checkpoint
    assert cfg.optim_wrapper.optimizer == dict(type='Adam', lr=1e-4)
    assert cfg.param_scheduler[0].milestones == [50] and cfg.param_scheduler[0].gamma == 0.1
    assert cfg.train_dataloader.batch_size == 8
    assert cfg.val_dataloader.dataset.pipeline[1].scale == (256, 256)
    assert [e.type for e in cfg.test_evaluator] == ['PolypSegMetric', 'ClassWiseSegMetric']
    ens = Config.fromfile(osp.join(CFG_DIR, 'divergentnets_kvasir-256x256.py'))
    assert [osp.basename(m.config).split('_')[0] for m in ens.model.members] == [
        'unetpp', 'fpn', 'deeplabv3', 'deeplabv3plus', 'triunet']
    assert ens.model.threshold == 0.5


@pytest.mark.parametrize('name', MEMBERS + ['divergentnets'])
def test_every_config_builds(name):
    path = osp.join(CFG_DIR, 'divergentnets_kvasir-256x256.py') if name == 'divergentnets' \
        else member_config(name)
    model = MODELS.build(Config.fromfile(path).model)
    params = sum(p.numel() for p in model.parameters())
    unet, unet4 = 34524114, 34527250  # smp Unet(se_resnext50_32x4d), with 3 and 4 input channels
    expected = dict(SMP_PARAMS, triunet=2 * unet + unet4,
                    triunetpp=2 * SMP_PARAMS['unetpp'] + SMP_PARAMS['unetpp'] + 3136,
                    divergentnets=sum(SMP_PARAMS.values()) + 2 * unet + unet4)
    assert params == expected[name]


# ----------------------------------------------------------------------------- tools on real data

def train_options(root: str, size: int = TRAIN_SIZE, keep_checkpoint: bool = False) -> list:
    opts = [
        'model.backbone.init_cfg=None',
        f'train_dataloader.dataset.data_root={root}', f'val_dataloader.dataset.data_root={root}',
        'train_dataloader.dataset.indices=4', 'train_dataloader.batch_size=2',  # 2 iterations
        'val_dataloader.dataset.indices=1',
        f'train_dataloader.dataset.pipeline.2.transforms.2.height={size}',  # AlbuSeg Resize
        f'train_dataloader.dataset.pipeline.2.transforms.2.width={size}',
        f'val_dataloader.dataset.pipeline.1.scale=({size},{size})',
        'train_dataloader.num_workers=0', 'train_dataloader.persistent_workers=False',
        'val_dataloader.num_workers=0', 'val_dataloader.persistent_workers=False',
        'train_cfg.max_epochs=1', 'default_hooks.logger.interval=1',
        'default_hooks.checkpoint.save_optimizer=False',
    ]
    opts += ['default_hooks.checkpoint.interval=-1', 'default_hooks.checkpoint.save_last=False']
    if not keep_checkpoint:
        opts.append('default_hooks.checkpoint.save_best=None')
    return opts


ENSEMBLE_MEMBERS = ('fpn', 'deeplabv3plus')


@pytest.fixture(scope='module')
def trained(kvasir_small, tmp_path_factory) -> dict:
    """Every member config trained for two iterations by tools/train.py: name -> (result, work dir).

    Two single-threaded runs at a time (the machines have 2 cores), heaviest first; only the
    ensemble members keep a checkpoint.
    """
    def train(name: str):
        work_dir = str(tmp_path_factory.mktemp(f'train_{name}'))
        opts = train_options(kvasir_small, keep_checkpoint=name in ENSEMBLE_MEMBERS)
        return tool('tools/train.py', member_config(name), '--work-dir', work_dir,
                    '--cfg-options', *opts), work_dir

    order = ['triunetpp', 'triunet', 'unetpp', 'deeplabv3', 'deeplabv3plus', 'fpn']
    with ThreadPoolExecutor(max_workers=2) as pool:
        return dict(zip(order, pool.map(train, order)))


@pytest.mark.slow
@pytest.mark.parametrize('name', MEMBERS)
def test_two_training_iterations_on_kvasir(trained, name):
    result, work_dir = trained[name]
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    log = result.stdout + result.stderr
    losses = [float(v) for v in re.findall(r'decode\.loss_dice: ([0-9.]+)', log)]
    assert len(losses) == 2 and all(0 <= v <= 1 for v in losses), losses
    assert re.search(r'polyp/jaccard: [0-9.]+', log) and 'classwise/IoU_polyp' in log
    assert bool(glob.glob(osp.join(work_dir, 'best_*.pth'))) == (name in ENSEMBLE_MEMBERS)


def test_ensemble_of_two_members_packed_and_tested(trained, kvasir_small, tmp_path, monkeypatch):
    members = []
    for name in ENSEMBLE_MEMBERS:
        result, work_dir = trained[name]
        assert result.returncode == 0, result.stderr[-3000:]
        members.append(dict(config=member_config(name),
                            checkpoint=osp.join(work_dir, 'best_polyp_jaccard_epoch_*.pth')))
    config = tmp_path / 'divergentnets_two.py'
    config.write_text(f"_base_ = ['{osp.join(CFG_DIR, 'divergentnets_kvasir-256x256.py')}']\n"
                      f'model = dict(members={members!r})\n')
    packed = tmp_path / 'divergentnets_two.pth'
    pack = osp.join(REPO, 'tools', 'model_converters', 'pack_ensemble.py')
    monkeypatch.setattr(sys, 'argv', [pack, str(config), str(packed)])
    runpy.run_path(pack, run_name='__main__')  # the tool, in this process (saves a start-up)
    state = torch.load(packed, weights_only=True)['state_dict']
    assert any(k.startswith('members.1.decode_head.aspp') for k in state)
    show = tmp_path / 'members'
    result = tool('tools/test.py', str(config), str(packed), '--work-dir', str(tmp_path / 'wd'),
                  '--cfg-options', f'test_dataloader.dataset.data_root={kvasir_small}',
                  'test_dataloader.dataset.indices=2',
                  f'test_dataloader.dataset.pipeline.1.scale=({TRAIN_SIZE},{TRAIN_SIZE})',
                  'test_dataloader.num_workers=0', 'test_dataloader.persistent_workers=False',
                  f'custom_hooks.0.out_dir={show}')
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    log = result.stdout + result.stderr
    for key in ('polyp/jaccard', 'polyp/dice', 'polyp/hausdorff', 'classwise/IoU_polyp',
                'classwise/F1_background', 'classwise/Recall_all'):
        assert re.search(rf'{key}: [0-9.]+', log), key
    names = [osp.splitext(osp.basename(m['config']))[0] for m in members]
    for sub in names + ['overlay']:
        assert len(glob.glob(osp.join(show, sub, '*.png'))) == 2, sub
