"""Reverse-attention polyp segmentation (issue 4): Res2Net v1b backbone, ReverseAttentionHead,
structure loss, multi-scale batches, threshold post-processing, reference-area tool, configs.
"""
import argparse
import importlib.util
import json
import math
import os.path as osp
import random
import sys

import cv2
import numpy as np
import pytest
import torch
import torch.nn.functional as F
from mmengine.config import Config, DictAction
from mmengine.registry import init_default_scope
from mmengine.structures import PixelData
from mmseg.registry import METRICS, MODELS
from mmseg.structures import SegDataSample

import endommlab  # noqa: F401  (registers the components)
from endommlab.apis import build_runner
from endommlab.errors import ConfigError
from endommlab.models.decode_heads.reverse_attention_head import (PartialDecoder,
                                                                  ReceptiveFieldBlock,
                                                                  ReverseAttentionBranch,
                                                                  reverse_attention)
from endommlab.models.losses import box_mean, structure_loss
from endommlab.models.segmentors import threshold_post_process
from conftest import run_tool

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
SUFFIX = '_res2net50-v1b_1xb16-20e_kvasir-seg-512x512.py'


def config_path(name: str) -> str:
    return osp.join(REPO, 'configs', 'reverse_attention', name + SUFFIX)


@pytest.fixture(autouse=True)
def mmseg_scope():
    init_default_scope('mmseg')


def build_model(name: str = 'ra-brp'):
    """The model of a config, without the ImageNet weights."""
    cfg = Config.fromfile(config_path(name))
    cfg.model.get('segmentor', cfg.model).backbone.init_cfg = None
    return MODELS.build(cfg.model)


# ---------------------------------------------------------------- backbone

def conv_bn(cin: int, cout: int, kh: int, kw: int = None) -> int:
    """Parameters of a bias-free convolution followed by BN (weight and bias)."""
    return cin * cout * kh * (kh if kw is None else kw) + 2 * cout


def test_res2net_v1b_matches_the_official_layout():
    backbone = MODELS.build(dict(type='Res2NetV1b'))
    # official res2net50_v1b_26w_4s: 25,718,352 parameters incl. its 2048x1000 fc classifier
    assert sum(p.numel() for p in backbone.parameters()) == 25_718_352 - (2048 * 1000 + 1000)
    stem = [m.conv for m in backbone.stem]
    assert [(c.in_channels, c.out_channels, c.kernel_size, c.stride) for c in stem] == [
        (3, 32, (3, 3), (2, 2)), (32, 32, (3, 3), (1, 1)), (32, 64, (3, 3), (1, 1))]
    # v1b: the first block of every stage average-pools its last split, stage 1 (stride 1)
    # included -- MMDetection's Res2Net has no such pool there
    assert isinstance(backbone.layer1[0].pool, torch.nn.AvgPool2d)
    assert backbone.layer1[0].pool.stride == 1
    assert isinstance(backbone.layer2[0].downsample[0], torch.nn.AvgPool2d)  # avg_down
    assert backbone.layer2[0].width == 52 and backbone.layer2[0].scales == 4  # 26w x 4s
    feats = backbone(torch.randn(1, 3, 64, 64))
    assert [tuple(f.shape[1:]) for f in feats] == [(256, 16, 16), (512, 8, 8), (1024, 4, 4),
                                                   (2048, 2, 2)]


def test_res2net_v1b_loads_official_checkpoint_names(tmp_path):
    source = MODELS.build(dict(type='Res2NetV1b'))
    official = {}
    stem_names = {'stem.0.conv.': 'conv1.0.', 'stem.0.bn.': 'conv1.1.', 'stem.1.conv.': 'conv1.3.',
                  'stem.1.bn.': 'conv1.4.', 'stem.2.conv.': 'conv1.6.', 'stem.2.bn.': 'bn1.'}
    for key, value in source.state_dict().items():
        for ours, theirs in stem_names.items():
            if key.startswith(ours):
                key = theirs + key[len(ours):]
        official[key] = value.clone()
    official['fc.weight'], official['fc.bias'] = torch.zeros(1000, 2048), torch.zeros(1000)
    path = str(tmp_path / 'res2net50_v1b_26w_4s.pth')
    torch.save(official, path)

    target = MODELS.build(dict(type='Res2NetV1b',
                               init_cfg=dict(type='Pretrained', checkpoint=path)))
    target.init_weights()
    for key, value in source.state_dict().items():
        assert torch.equal(target.state_dict()[key], value), key


# ---------------------------------------------------------------- head

def rfb_params(cin: int, c: int = 32) -> int:
    branches = conv_bn(cin, c, 1) + sum(
        conv_bn(cin, c, 1) + conv_bn(c, c, 1, k) + conv_bn(c, c, k, 1) + conv_bn(c, c, 3)
        for k in (3, 5, 7))
    return branches + conv_bn(4 * c, c, 3) + conv_bn(cin, c, 1)


def pranet_head_params(c: int = 32) -> int:
    """PraNet's decoder, layer by layer (lib/PraNet_Res2Net.py)."""
    rfbs = rfb_params(512) + rfb_params(1024) + rfb_params(2048)
    decoder = (4 * conv_bn(c, c, 3) + 2 * conv_bn(2 * c, 2 * c, 3) + 2 * conv_bn(3 * c, 3 * c, 3)
               + 3 * c + 1)
    ra5 = conv_bn(2048, 256, 1) + 3 * conv_bn(256, 256, 5) + conv_bn(256, 1, 1)
    ra4 = conv_bn(1024, 64, 1) + 2 * conv_bn(64, 64, 3) + conv_bn(64, 1, 3)
    ra3 = conv_bn(512, 64, 1) + 2 * conv_bn(64, 64, 3) + conv_bn(64, 1, 3)
    return rfbs + decoder + ra5 + ra4 + ra3


def test_head_parameters_match_pranet_layout():
    head = MODELS.build(dict(type='ReverseAttentionHead'))
    assert sum(p.numel() for p in head.parameters()) == pranet_head_params() == 6_828_967
    model = build_model()
    # 32,547,319 = the "32.55M" quoted for PraNet, which counts the unused ImageNet fc
    assert sum(p.numel() for p in model.parameters()) == 30_498_319 == 32_547_319 - 2_049_000


def test_head_modules_shapes():
    rfb = ReceptiveFieldBlock(512, 32, dict(type='BN'))
    assert rfb(torch.randn(2, 512, 8, 8)).shape == (2, 32, 8, 8)
    decoder = PartialDecoder(32, dict(type='BN'))
    out = decoder(torch.randn(2, 32, 2, 2), torch.randn(2, 32, 4, 4), torch.randn(2, 32, 8, 8))
    assert out.shape == (2, 1, 8, 8)


@pytest.mark.parametrize('switches,sizes', [
    (dict(), [16, 4, 8, 16]),  # BRP: M_g at 1/8, then M_5, M_4, M_3
    (dict(use_partial_decoder=False), [4, 4, 8, 16]),  # BR: M_g = 1x1 conv of f5 at 1/32
    (dict(use_reverse_attention=False), [16]),  # BP: the global map only
])
def test_head_output_maps(switches, sizes):
    head = MODELS.build(dict(type='ReverseAttentionHead', **switches))
    feats = (torch.randn(2, 256, 32, 32), torch.randn(2, 512, 16, 16),
             torch.randn(2, 1024, 8, 8), torch.randn(2, 2048, 4, 4))  # 128x128 input
    maps = head(feats)
    assert [tuple(m.shape) for m in maps] == [(2, 1, s, s) for s in sizes]
    assert hasattr(head, 'rfbs') == switches.get('use_partial_decoder', True)
    # deep supervision: one loss per map, each map upsampled to the ground truth (128x128)
    samples = [SegDataSample(gt_sem_seg=PixelData(data=torch.randint(0, 2, (1, 128, 128))))
               for _ in range(2)]
    losses = head.loss_by_feat(maps, samples)
    assert sorted(k for k in losses if k.startswith('loss')) == sorted(
        f'loss_structure_{n}' for n in head.map_names)
    assert all(torch.isfinite(v) for v in losses.values())
    # inference: the shallowest map, resized to the input
    pred = head.predict_by_feat(maps, [dict(img_shape=(128, 128))])
    assert pred.shape == (2, 1, 128, 128)
    assert torch.allclose(pred, F.interpolate(maps[-1], size=(128, 128), mode='bilinear'))


def test_reverse_attention_multiplies_by_one_minus_sigmoid():
    feature = torch.arange(8.).reshape(1, 2, 2, 2)
    upper = torch.tensor([[[[0., math.log(3)], [-20., 20.]]]])  # sigmoid: 1/2, 3/4, ~0, ~1
    weights = torch.tensor([[0.5, 0.25], [1.0, 0.0]])
    assert torch.allclose(reverse_attention(feature, upper), feature * weights, atol=1e-6)

    # in a branch: where the deeper map is sure (sigmoid ~ 1) the feature no longer matters
    branch = ReverseAttentionBranch(16, 8, 3, 2, 3, dict(type='BN')).eval()
    sure = torch.full((1, 1, 2, 2), 30.)
    a, b = torch.randn(1, 16, 4, 4), torch.randn(1, 16, 4, 4)
    assert torch.allclose(branch(a, sure), branch(b, sure))
    unsure = torch.zeros(1, 1, 2, 2)
    assert not torch.allclose(branch(a, unsure), branch(b, unsure))
    assert branch(a, sure).shape == (1, 1, 4, 4)  # residual added to the upsampled map


# ---------------------------------------------------------------- structure loss

def one_pixel_mask() -> torch.Tensor:
    mask = torch.zeros(1, 1, 3, 3)
    mask[0, 0, 1, 1] = 1
    return mask


def test_structure_loss_hand_computed():
    # 3x3 mask with the centre set, pool kernel 3 (padding 1, zeros counted): every window
    # holds the centre, avgpool = 1/9 everywhere; w = 1 + 5|1/9 - m| = 49/9 (centre), 14/9
    mask = one_pixel_mask()
    centre_w, other_w = 49 / 9, 14 / 9

    # logits 0: p = 1/2, bce = ln 2 at every pixel, so any weighting gives ln 2
    inter = 0.5 * centre_w
    union = 0.5 * (centre_w + 8 * other_w) + centre_w
    expected = math.log(2) + 1 - (inter + 1) / (union - inter + 1)
    assert expected == pytest.approx(math.log(2) + 161 / 228)
    assert float(structure_loss(torch.zeros(1, 1, 3, 3), mask, kernel_size=3)) == pytest.approx(
        expected, rel=1e-6)

    # centre logit 2, others 0: weighted vs plain BCE differ
    pred = torch.zeros(1, 1, 3, 3)
    pred[0, 0, 1, 1] = 2.
    bce_centre, bce_other = math.log(1 + math.exp(-2)), math.log(2)
    p = 1 / (1 + math.exp(-2))
    inter = p * centre_w
    union = (p + 1) * centre_w + 0.5 * 8 * other_w
    wiou = 1 - (inter + 1) / (union - inter + 1)
    weighted = (centre_w * bce_centre + 8 * other_w * bce_other) / (centre_w + 8 * other_w)
    plain = (bce_centre + 8 * bce_other) / 9
    assert float(structure_loss(pred, mask, kernel_size=3)) == pytest.approx(weighted + wiou,
                                                                             rel=1e-6)
    assert float(structure_loss(pred, mask, kernel_size=3, pranet_bce=True)) == pytest.approx(
        plain + wiou, rel=1e-6)


def test_structure_loss_pranet_option_equals_pranet_code():
    torch.manual_seed(0)
    pred = torch.randn(2, 1, 40, 40)
    mask = (torch.rand(2, 1, 40, 40) > 0.7).float()
    # PraNet's structure_loss (MyTrain.py), verbatim arithmetic
    weit = 1 + 5 * torch.abs(F.avg_pool2d(mask, kernel_size=31, stride=1, padding=15) - mask)
    with pytest.warns(UserWarning):  # the legacy `reduce` argument
        wbce = F.binary_cross_entropy_with_logits(pred, mask, reduce='none')
    wbce = (weit * wbce).sum(dim=(2, 3)) / weit.sum(dim=(2, 3))
    p = torch.sigmoid(pred)
    inter = ((p * mask) * weit).sum(dim=(2, 3))
    union = ((p + mask) * weit).sum(dim=(2, 3))
    pranet = (wbce + 1 - (inter + 1) / (union - inter + 1)).mean()
    plain = F.binary_cross_entropy_with_logits(pred, mask)  # "weighted" BCE = the batch mean
    assert torch.allclose(wbce, plain.expand_as(wbce))
    ours = structure_loss(pred, mask.squeeze(1).long(), pranet_bce=True)
    assert float(ours) == pytest.approx(float(pranet), rel=1e-6)
    assert float(structure_loss(pred, mask.squeeze(1).long())) != pytest.approx(float(pranet))


@pytest.mark.parametrize('kernel_size', [3, 31])
def test_box_mean_equals_the_square_average_pool(kernel_size):
    mask = (torch.rand(2, 1, 40, 56, generator=torch.Generator().manual_seed(0)) > 0.6).float()
    square = F.avg_pool2d(mask, kernel_size, stride=1, padding=kernel_size // 2)
    assert torch.allclose(box_mean(mask, kernel_size), square, atol=1e-6)


def test_brp_training_loss_equals_pranet_computation():
    """One batch: the four deep-supervision losses as mmseg's loss plumbing sums them equal
    PraNet's MyTrain.py computation (each side map upsampled to the mask, structure loss with
    the 31x31 square pool; true weighted BCE, the configs' default) to 1e-5."""
    torch.manual_seed(0)
    cfg = Config.fromfile(config_path('ra-brp'))
    cfg.model.backbone.init_cfg = None
    cfg.model.data_preprocessor.batch_augments = None  # PraNet's loop at one scale
    model = MODELS.build(cfg.model).train()
    size = (96, 96)
    ys, xs = torch.meshgrid(torch.arange(96), torch.arange(96), indexing='ij')
    masks = torch.stack([((ys - 40) ** 2 + (xs - 50) ** 2 < 400), ((ys - 60) ** 2 + (xs - 30) ** 2
                                                                   < 225)]).long()
    batch = dict(inputs=[torch.randint(0, 256, (3, *size), dtype=torch.uint8) for _ in range(2)],
                 data_samples=[SegDataSample(gt_sem_seg=PixelData(data=m[None]),
                                             metainfo=dict(img_shape=size, ori_shape=size))
                               for m in masks])
    data = model.data_preprocessor(batch, True)
    with torch.no_grad():  # one forward pass feeds both computations (oneDNN sums vary by run)
        sides = model.decode_head(model.extract_feat(data['inputs']))
        losses = model.decode_head.loss_by_feat(sides, data['data_samples'])
    ours = sum(v for k, v in losses.items() if k.startswith('loss_structure'))
    gts = masks[:, None].float()
    total = 0
    for side in sides:
        pred = F.interpolate(side, size=size, mode='bilinear', align_corners=False)
        weit = 1 + 5 * torch.abs(F.avg_pool2d(gts, kernel_size=31, stride=1, padding=15) - gts)
        wbce = F.binary_cross_entropy_with_logits(pred, gts, reduction='none')
        wbce = (weit * wbce).sum(dim=(2, 3)) / weit.sum(dim=(2, 3))
        p = torch.sigmoid(pred)
        inter = ((p * gts) * weit).sum(dim=(2, 3))
        union = ((p + gts) * weit).sum(dim=(2, 3))
        total = total + (wbce + 1 - (inter + 1) / (union - inter + 1)).mean()
    assert len([k for k in losses if k.startswith('loss_structure')]) == 4
    assert float(ours) == pytest.approx(float(total), abs=1e-5)


def test_structure_loss_module_ignore_index_and_gradient():
    loss = MODELS.build(dict(type='StructureLoss', kernel_size=3))
    pred = torch.zeros(1, 1, 3, 3, requires_grad=True)
    target = one_pixel_mask().squeeze(1).long()
    value = loss(pred, target)
    value.backward()
    assert torch.isfinite(pred.grad).all() and pred.grad[0, 0, 1, 1] < 0  # raise the polyp logit
    assert loss.loss_name == 'loss_structure'
    # ignored pixels do not count: a wrong prediction there changes nothing
    ignored = target.clone()
    ignored[0, 0, 0] = 255
    worse = torch.zeros(1, 1, 3, 3)
    worse[0, 0, 0, 0] = 9.
    assert float(loss(worse, ignored)) == pytest.approx(float(loss(torch.zeros(1, 1, 3, 3),
                                                                   ignored)))
    better = torch.full((1, 1, 3, 3), -4.)
    better[0, 0, 1, 1] = 4.
    assert float(loss(better, target)) < float(value)
    with pytest.raises(ConfigError):
        MODELS.build(dict(type='StructureLoss', kernel_size=4))


# ---------------------------------------------------------------- multi-scale training

def test_multi_scale_sizes_round_to_32():
    resize = MODELS.build(dict(type='MultiScaleBatchResize'))
    assert [resize.target_size((512, 512), r) for r in (0.75, 1, 1.25)] == [
        (384, 384), (512, 512), (640, 640)]
    # PraNet's own base size 352: int(round(352 * rate / 32) * 32)
    assert [resize.target_size((352, 352), r)[0] for r in (0.75, 1, 1.25)] == [256, 352, 448]


def test_multi_scale_batches_in_the_data_preprocessor():
    preprocessor = MODELS.build(dict(
        type='BatchAugSegDataPreProcessor', mean=[0, 0, 0], std=[1, 1, 1], size_divisor=32,
        batch_augments=[dict(type='MultiScaleBatchResize')]))
    random.seed(0)
    sizes = set()
    for _ in range(20):
        data = dict(inputs=[torch.randint(0, 255, (3, 128, 128), dtype=torch.uint8)] * 2,
                    data_samples=[SegDataSample(gt_sem_seg=PixelData(
                        data=torch.randint(0, 2, (1, 128, 128)))) for _ in range(2)])
        out = preprocessor(data, training=True)
        size = tuple(out['inputs'].shape[-2:])
        sizes.add(size)
        for sample in out['data_samples']:  # one size per batch, labels stay labels
            assert tuple(sample.gt_sem_seg.shape) == size == tuple(sample.img_shape)
            assert set(sample.gt_sem_seg.data.unique().tolist()) <= {0, 1}
    assert sizes == {(96, 96), (128, 128), (160, 160)}
    test_data = dict(inputs=[torch.zeros(3, 128, 128, dtype=torch.uint8)],
                     data_samples=[SegDataSample()])
    assert preprocessor(test_data, training=False)['inputs'].shape == (1, 3, 128, 128)


# ---------------------------------------------------------------- post-processing

def predicted_sample(prob: torch.Tensor, channels: int = 1) -> SegDataSample:
    sample = SegDataSample()
    if channels == 1:
        seg_logits = prob[None]  # mmseg keeps sigmoid probabilities for 1-channel heads
        pred = (prob > 0.5).float()[None]
    else:  # 2-channel logits whose softmax gives `prob` for the polyp class
        logit = torch.log(prob.clamp(1e-6, 1 - 1e-6) / (1 - prob).clamp(1e-6, 1))
        seg_logits = torch.stack([torch.zeros_like(prob), logit])
        pred = (prob > 0.5).long()[None]
    sample.set_data(dict(seg_logits=PixelData(data=seg_logits), pred_sem_seg=PixelData(data=pred)))
    return sample


def small_and_large_predictions():
    small = torch.full((100, 100), 0.1)
    small[10:14, 10:14] = 0.9  # 16 px = 0.16% of the image
    large = torch.full((100, 100), 0.3)
    large[20:60, 20:60] = 0.8  # 1600 px = 16%
    return small, large


def test_threshold_post_process_empties_small_and_polarises_large():
    small, large = small_and_large_predictions()
    mask, emptied, area = threshold_post_process(small, reference_area=0.004739)
    assert emptied and area == pytest.approx(0.0016) and mask.sum() == 0
    mask, emptied, area = threshold_post_process(large, reference_area=0.004739)
    assert not emptied and area == pytest.approx(0.16)
    assert set(mask.unique().tolist()) == {0, 1} and torch.equal(mask.bool(), large > 0.5)


@pytest.mark.parametrize('channels', [1, 2])
def test_post_process_segmentor_on_binary_outputs(channels):
    model = MODELS.build(dict(
        type='ThresholdPostProcessSegmentor',
        segmentor=dict(type='EncoderDecoder', backbone=dict(type='Res2NetV1b'),
                       decode_head=dict(type='ReverseAttentionHead')),
        test_cfg=dict(reference_area=1242.4, area_unit='pixels', area_resolution=(512, 512))))
    assert model.reference_fraction == pytest.approx(0.004739, abs=1e-6)
    small, large = small_and_large_predictions()
    emptied = model.post_process(predicted_sample(small, channels))
    kept = model.post_process(predicted_sample(large, channels))
    assert emptied.pending_case and emptied.pred_sem_seg.data.sum() == 0
    assert emptied.raw_sem_seg.data.sum() == 16  # the wrapped prediction is kept
    assert not kept.pending_case and kept.polyp_area == pytest.approx(0.16)
    assert torch.equal(kept.pred_sem_seg.data[0].bool(), large > 0.5)

    metric = METRICS.build(dict(type='RawPolypSegMetric'))
    gt = PixelData(data=(large > 0.5).long()[None])
    for sample in (emptied, kept):
        sample.gt_sem_seg = gt
    metric.process({}, [emptied.to_dict(), kept.to_dict()])
    scores = metric.compute_metrics(metric.results)
    assert scores['emptied'] == 1
    # scored on the raw masks: the 16 false-positive pixels give precision 0 (emptied: 1)
    assert scores['precision'] == pytest.approx(0.5)


def test_post_process_checkpoints_are_interchangeable():
    plain, wrapped = build_model('ra-brp'), build_model('ra-brp-pp')
    assert list(wrapped.state_dict()) == list(plain.state_dict())
    wrapped.load_state_dict(plain.state_dict(), strict=True)
    assert torch.equal(wrapped.segmentor.decode_head.ra_branches[0].reduce.conv.weight,
                       plain.decode_head.ra_branches[0].reduce.conv.weight)
    plain.load_state_dict(wrapped.state_dict(), strict=True)


def test_post_process_config_errors():
    segmentor = dict(type='EncoderDecoder', backbone=dict(type='Res2NetV1b'),
                     decode_head=dict(type='ReverseAttentionHead'))
    for test_cfg in (dict(), dict(reference_area=0.01, area_unit='mm2'),
                     dict(reference_area=100, area_unit='pixels'), dict(reference_area=2.0),
                     dict(reference_area=0.01, threshold=1.5)):
        with pytest.raises(ConfigError):
            MODELS.build(dict(type='ThresholdPostProcessSegmentor', segmentor=segmentor,
                              test_cfg=test_cfg))


# ---------------------------------------------------------------- reference-area tool

def reference_area_tool(monkeypatch, capsys, *args):
    """Run tools/analysis_tools/polyp_reference_area.py in this process: (exit code, out, err)."""
    path = osp.join(REPO, 'tools', 'analysis_tools', 'polyp_reference_area.py')
    spec = importlib.util.spec_from_file_location('polyp_reference_area', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    monkeypatch.setattr(sys, 'argv', [path, *args])
    try:
        module.main()
        code = 0
    except SystemExit as e:
        code = e.code
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_reference_area_on_kvasir_release_masks(kvasir_src, tmp_path, monkeypatch, capsys):
    out = tmp_path / 'area.json'
    code, stdout, stderr = reference_area_tool(monkeypatch, capsys, '--masks-dir',
                                               osp.join(kvasir_src, 'masks'), '--out', str(out))
    assert code == 0, stderr
    result = json.loads(out.read_text())
    # the smallest Kvasir-SEG polyp: 998 px of a 449x469 image (masks thresholded at 128,
    # specks under 16 px removed, as the converter does)
    assert result['num_masks'] == 1000 and result['num_negatives'] == 0
    assert (result['stem'], result['pixels'], result['image_size']) == (
        'cju8bj2ssrmlm0871gc2ug2rs', 998, [449, 469])
    assert result['fraction'] == pytest.approx(998 / (449 * 469))
    assert "reference_area=0.004739, area_unit='fraction'" in stdout
    assert 'reference_area=1242.4' in stdout  # pixels at 512x512
    cfg = Config.fromfile(config_path('ra-brp-pp'))
    assert cfg.model.test_cfg.reference_area == pytest.approx(result['fraction'], abs=1e-6)


def test_reference_area_on_converted_split(kvasir_small, monkeypatch, capsys):
    code, stdout, stderr = reference_area_tool(monkeypatch, capsys, kvasir_small, '--level',
                                               'region', '--resolution', '256', '256')
    assert code == 0, stderr
    stems = open(osp.join(kvasir_small, 'splits', 'train.txt')).read().split()
    smallest = min(
        (stats[1:, cv2.CC_STAT_AREA].min() / mask.size, stem)
        for stem in stems
        for mask in [cv2.imread(osp.join(kvasir_small, 'masks', stem + '.png'), 0)]
        for stats in [cv2.connectedComponentsWithStats((mask > 0).astype(np.uint8))[2]])
    assert f'{smallest[1]},' in stdout
    assert f"reference_area={smallest[0]:.6f}, area_unit='fraction'" in stdout
    assert f'reference_area={smallest[0] * 256 * 256:.1f}' in stdout
    code, _, stderr = reference_area_tool(monkeypatch, capsys, kvasir_small, '--split', 'nope')
    assert code == 2 and 'nope.txt does not exist' in stderr


# ---------------------------------------------------------------- configs, real data

def small_run_options(name: str, data_root: str, size: int = 64) -> list:
    """Two iterations (batch 2) at ``size`` px, validation on 2 images, no pretrained weights."""
    prefix = 'model.segmentor' if name.endswith('-pp') else 'model'
    return [f'{prefix}.backbone.init_cfg=None',
            f'train_dataloader.dataset.data_root={data_root}',
            f'val_dataloader.dataset.data_root={data_root}',
            f'test_dataloader.dataset.data_root={data_root}',
            'train_dataloader.dataset.indices=4', 'train_dataloader.batch_size=2',
            'train_dataloader.num_workers=0', 'train_dataloader.persistent_workers=False',
            'val_dataloader.num_workers=0', 'val_dataloader.persistent_workers=False',
            'test_dataloader.num_workers=0', 'test_dataloader.persistent_workers=False',
            'val_dataloader.dataset.indices=2', 'test_dataloader.dataset.indices=2',
            f'train_dataloader.dataset.pipeline.2.scale=({size},{size})',
            f'val_dataloader.dataset.pipeline.1.scale=({size},{size})',
            f'test_dataloader.dataset.pipeline.1.scale=({size},{size})',
            'train_cfg.max_epochs=1', 'default_hooks.logger.interval=1']


NO_CHECKPOINT = ['default_hooks.checkpoint.interval=10', 'default_hooks.checkpoint.save_last=False']


def test_configs_mirror_the_recipe():
    cfg = Config.fromfile(config_path('ra-brp'))
    assert cfg.optim_wrapper.optimizer == dict(type='Adam', lr=1e-4)
    assert cfg.train_dataloader.batch_size == 16
    assert cfg.train_dataloader.dataset.pipeline[2].scale == (512, 512)
    assert cfg.model.data_preprocessor.batch_augments[0].scale_rates == (0.75, 1.0, 1.25)
    assert cfg.model.data_preprocessor.mean == [123.675, 116.28, 103.53]  # ImageNet
    assert cfg.model.backbone.init_cfg.type == 'Pretrained'
    clip = Config.fromfile(config_path('ra-brp-clip'))
    assert clip.optim_wrapper.clip_grad == dict(type='value', clip_value=0.5)
    pp = Config.fromfile(config_path('ra-brp-pp'))
    assert pp.model.segmentor == cfg.model
    assert [e['type'] for e in pp.test_evaluator] == ['PolypSegMetric', 'RawPolypSegMetric']


def train_in_process(name: str, data_root: str, work_dir: str):
    """tools/train.py's runner for two iterations of ``name``, without validation; only BRP
    saves its checkpoint (for the post-processing test)."""
    parser = argparse.ArgumentParser()
    parser.add_argument('--cfg-options', nargs='+', action=DictAction)
    options = parser.parse_args(['--cfg-options', *small_run_options(name, data_root),
                                 'train_cfg.val_interval=2',
                                 *([] if name == 'ra-brp' else NO_CHECKPOINT)]).cfg_options
    runner = build_runner(config_path(name), mode='train', work_dir=work_dir, cfg_options=options)
    runner.train()
    return runner


@pytest.fixture(scope='module')
def brp_runner(kvasir_small, tmp_path_factory):
    return train_in_process('ra-brp', kvasir_small, str(tmp_path_factory.mktemp('ra-brp')))


@pytest.mark.parametrize('name', ('ra-br', 'ra-bp', 'ra-brp'))
def test_ablation_trains_two_iterations_on_kvasir(name, kvasir_small, request, tmp_path):
    """BR, BP, BRP in this process (the -pp config runs through tools/train.py below)."""
    runner = (request.getfixturevalue('brp_runner') if name == 'ra-brp'
              else train_in_process(name, kvasir_small, str(tmp_path)))
    assert runner.iter == 2
    maps = ('global', 'ra5', 'ra4', 'ra3') if name != 'ra-bp' else ('global', )
    losses = {k for k in runner.message_hub.log_scalars if 'loss_structure' in k}
    assert losses == {f'train/decode.loss_structure_{m}' for m in maps}
    for key in losses:
        assert math.isfinite(runner.message_hub.get_scalar(key).current())


def test_post_processing_config_trains_and_validates(kvasir_small, tmp_path):
    proc = run_tool('tools/train.py', config_path('ra-brp-pp'), '--work-dir', str(tmp_path),
                    '--cfg-options', *small_run_options('ra-brp-pp', kvasir_small),
                    *NO_CHECKPOINT)
    assert proc.returncode == 0, proc.stderr[-3000:]
    log = proc.stdout + proc.stderr
    assert 'Epoch(train) [1][2/2]' in log
    for map_name in ('global', 'ra5', 'ra4', 'ra3'):
        assert f'decode.loss_structure_{map_name}:' in log
    assert 'threshold post-processing emptied' in log and 'of 2 images' in log
    assert 'polyp/dice' in log and 'raw/dice' in log and 'raw/emptied' in log


@pytest.mark.slow
def test_brp_checkpoint_tested_with_post_processing(kvasir_small, brp_runner, tmp_path):
    checkpoint = osp.join(brp_runner.work_dir, 'epoch_1.pth')
    test = run_tool('tools/test.py', config_path('ra-brp-pp'), checkpoint,
                    '--work-dir', str(tmp_path / 'pp'), '--cfg-options',
                    *small_run_options('ra-brp-pp', kvasir_small))
    assert test.returncode == 0, test.stderr[-3000:]
    log = test.stdout + test.stderr
    assert 'The model and loaded state dict do not match' not in log
    assert 'threshold post-processing emptied' in log and 'of 2 images' in log
    assert 'polyp/dice' in log and 'raw/dice' in log
