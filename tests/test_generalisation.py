"""The generalisation benchmark: PraNet-protocol metrics, EndoCV2021 gap, the one-command table."""
import json
import math
import os.path as osp

import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmseg.registry import MODELS
from PIL import Image

from endommlab.benchmark import DataSpec, ModelSpec, add_summary_rows, run_benchmark
from endommlab.evaluation.functional import deviation, generalisation_gap, sample_polyp_probability
from endommlab.evaluation.metrics import PraNetMetric
from conftest import REPO, run_tool

NANONET_C = osp.join(REPO, 'configs', 'nanonet',
                     'nanonet-c_mobilenetv2-0.35-scratch_1xb16-200e_kvasir-seg-256x256.py')
SMALL_INPUT = ['test_dataloader.dataset.pipeline.1.scale=(64,64)']


def pranet_scores(gt: np.ndarray, prob) -> dict:
    metric = PraNetMetric()
    prob = torch.as_tensor(prob, dtype=torch.float32)[None]
    metric.process({}, [dict(pred_sem_seg=dict(data=torch.zeros(1, *gt.shape)),
                             gt_sem_seg=dict(data=torch.tensor(gt)[None]),
                             seg_logits=dict(data=prob))])
    return metric.compute_metrics(metric.results)


def test_pysodmetrics_figures_match_hand_computation():
    gt = np.zeros((4, 4), np.uint8)
    gt[:2, :2] = 1  # 4 of 16 pixels
    perfect = pranet_scores(gt, gt)
    # thresholds >= 255 ... >= 1 recover the mask; >= 0 marks all 16 pixels polyp
    assert perfect['mdice'] == pytest.approx((255 + 2 * 4 / (4 + 16)) / 256)
    assert perfect['miou'] == pytest.approx((255 + 4 / 16) / 256)
    assert perfect['mae'] == 0 and perfect['wfm'] == pytest.approx(1)
    assert perfect['sm'] == pytest.approx(1)
    # E-measure divides by w*h - 1 (the MATLAB original): 16/15 when aligned; the all-polyp
    # threshold aligns nothing (demeaned prediction 0): enhanced value 1/4 on 16 pixels
    assert perfect['mem'] == pytest.approx((255 * 16 / 15 + 16 / 4 / 15) / 256)
    negative = pranet_scores(np.zeros((4, 4), np.uint8), np.full((4, 4), 64 / 255))
    # constant map: no min-max stretch; no polyp: S = 1 - mean(pred), wF = 0, Dice/IoU = 0
    assert negative['mae'] == pytest.approx(64 / 255)
    assert negative['sm'] == pytest.approx(1 - 64 / 255)
    assert negative['wfm'] == 0 and negative['mdice'] == 0 and negative['miou'] == 0
    # thresholds >= 255 ... >= 65 predict nothing (all 16 aligned), >= 64 ... >= 0 all polyp
    assert negative['mem'] == pytest.approx(191 * 16 / 15 / 256)


def test_instance_probability_is_highest_covering_score():
    masks = torch.zeros(2, 3, 3, dtype=torch.bool)
    masks[0, :2, :2] = True
    masks[1, 1:, 1:] = True
    sample = dict(ori_shape=(3, 3), gt_instances=dict(masks=masks[:1].numpy()),
                  pred_instances=dict(masks=masks, scores=torch.tensor([0.4, 0.7])))
    gt, prob = sample_polyp_probability(sample)
    assert gt.sum() == 4
    np.testing.assert_allclose(prob, [[0.4, 0.4, 0], [0.4, 0.7, 0.7], [0, 0.7, 0.7]])
    _, high = sample_polyp_probability(sample, score_thr=0.5)
    np.testing.assert_allclose(high, [[0, 0, 0], [0, 0.7, 0.7], [0, 0.7, 0.7]])


def test_endocv2021_deviation_and_gap():
    # compute_seg_gen.py: 10 % tolerance around p_in, else distance to the lower bound 0.9 p_in
    assert deviation(0.8, 0.85) == 0 and deviation(0.8, 0.73) == 0
    assert deviation(0.8, 0.5) == pytest.approx(0.22)
    assert deviation(0.8, 0.95) == pytest.approx(0.23)
    scores_in = dict(dice=0.8, recall=0.9, precision=0.7, hausdorff=0.5)
    scores_out = dict(dice=0.5, recall=0.85, precision=0.8, hausdorff=0.2)
    gap = generalisation_gap(scores_in, scores_out)
    assert gap['gen_score'] == pytest.approx((0.5 + 0.85 + 0.8 + 0.8) / 4)
    assert gap['gen_gap'] == pytest.approx((0.22 + 0 + abs(0.63 - 0.8) + abs(0.45 - 0.8)) / 4)


def constant_checkpoint(config: str, path: str, bias: float) -> str:
    """NanoNet whose every pixel has polyp logit ``bias`` (zeroed last conv)."""
    init_default_scope('mmseg')
    model = MODELS.build(Config.fromfile(config).model)
    with torch.no_grad():
        model.decode_head.conv_seg.weight.zero_()
        model.decode_head.conv_seg.bias.fill_(bias)
    torch.save({'state_dict': model.state_dict()}, path)
    return path


def polyp_fractions(root: str, split: str) -> list:
    """Polyp fraction of each ground-truth mask of a converted split."""
    with open(osp.join(root, 'splits', f'{split}.txt')) as f:
        stems = f.read().split()
    return [float((np.asarray(Image.open(osp.join(root, 'masks', f'{s}.png'))) > 0).mean())
            for s in stems]


def all_polyp_scores(fractions: list, p: float) -> dict:
    """EndoCV2021 scores of an all-polyp mask and PraNet MAE of a constant map ``p``, by hand."""
    c = round(p * 255) / 255  # stored as an 8-bit map
    return dict(dice=np.mean([2 * f / (1 + f) for f in fractions]), recall=1.0,
                precision=np.mean(fractions),
                pranet_mae=np.mean([f * (1 - c) + (1 - f) * c for f in fractions]))


@pytest.fixture(scope='module')
def segmentation_table(kvasir_small, demo_root, tmp_path_factory):
    """One tool run: NanoNet-C, NanoNet-C + threshold post-processing, a 2-member ensemble."""
    tmp = tmp_path_factory.mktemp('generalisation')
    plain = constant_checkpoint(NANONET_C, str(tmp / 'c_plus1.pth'), 1.0)  # p = 0.731 everywhere
    pp_config = tmp / 'nanonet_pp.py'  # post-processing polarises at 0.9: every image emptied
    pp_config.write_text(f"_base_ = '{NANONET_C}'\nmodel = dict(_delete_=True, type="
                         "'ThresholdPostProcessSegmentor', segmentor={{_base_.model}}, "
                         "test_cfg=dict(reference_area=0.01, threshold=0.9))\n")
    members = [dict(config=NANONET_C, name=name, checkpoint=constant_checkpoint(
        NANONET_C, str(tmp / f'{name}.pth'), bias)) for name, bias in (('a', 3.0), ('b', -1.0))]
    ens_config = tmp / 'ensemble.py'
    ens_base = osp.join(REPO, 'configs', 'divergentnets', 'divergentnets_kvasir-256x256.py')
    ens_config.write_text(
        f"_base_ = '{ens_base}'\n"
        f"model = dict(members={members!r}, load_member_checkpoints=True)\n")
    init_default_scope('mmseg')
    ensemble = MODELS.build(Config.fromfile(str(ens_config)).model)
    torch.save({'state_dict': ensemble.state_dict()}, tmp / 'ensemble.pth')
    out_dir = tmp / 'out'
    result = run_tool(
        'tools/analysis_tools/generalisation.py', '--models', f'nc={NANONET_C}:{plain}',
        f'nc-pp={pp_config}:{plain}', f"ens={ens_config}:{tmp / 'ensemble.pth'}",
        '--data', f'kvasir={kvasir_small}:val', f'demo={demo_root}', '--post-process', 'on', 'off',
        '--out-dir', str(out_dir), '--cfg-options', *SMALL_INPUT,
        env=dict(OMP_NUM_THREADS='1'))
    assert result.returncode == 0, result.stderr[-3000:]
    with open(out_dir / 'generalisation.json') as f:
        table = json.load(f)
    return table, result.stdout, out_dir


@pytest.mark.slow
def test_generalisation_table_structure_and_counts(segmentation_table, kvasir_small, demo_root):
    table, stdout, out_dir = segmentation_table
    rows = table['rows']
    assert [(r['model'], r['post_process'], r['data']) for r in rows] == [
        ('nc', '-', 'kvasir'), ('nc', '-', 'demo'), ('nc', '-', 'mean'),
        ('nc-pp', 'on', 'kvasir'), ('nc-pp', 'on', 'demo'), ('nc-pp', 'on', 'mean'),
        ('nc-pp', 'off', 'kvasir'), ('nc-pp', 'off', 'demo'), ('nc-pp', 'off', 'mean'),
        ('ens', '-', 'kvasir'), ('ens', '-', 'demo'), ('ens', '-', 'mean')]
    kvasir, demo = polyp_fractions(kvasir_small, 'val'), polyp_fractions(demo_root, 'val')
    counts = dict(kvasir=(len(kvasir), sum(f == 0 for f in kvasir)),
                  demo=(len(demo), sum(f == 0 for f in demo)))
    assert counts['kvasir'] == (8, 0) and counts['demo'][0] == 4 and counts['demo'][1] >= 1
    for row in rows:
        images, negatives = counts[row['data']] if row['data'] != 'mean' else (
            12, counts['kvasir'][1] + counts['demo'][1])
        assert (row['images'], row['negatives']) == (images, negatives)
        assert row['fps'] > 0
        assert all(0 <= row[k] <= 1 for k in table['columns'][5:-3] if row[k] is not None)
        # frame-level rates exist where the set has frames of their kind
        assert (row['false_alarm_rate'] is None) == (negatives == 0)
        assert row['detection_rate'] is not None
    assert table['in_distribution'] == 'kvasir' and table['tolerance'] == 10
    with open(out_dir / 'generalisation.md') as f:
        markdown = f.read().splitlines()
    assert markdown[0] == '| ' + ' | '.join(table['columns']) + ' |' and len(markdown) == 14
    with open(out_dir / 'generalisation.csv') as f:
        assert len(f.read().splitlines()) == 13
    assert 'pranet_mdice' in stdout and 'nc on demo (4 images)' in stdout


def test_generalisation_scores_match_hand_computation(segmentation_table, kvasir_small,
                                                      demo_root):
    table, _, _ = segmentation_table
    rows = {(r['model'], r['post_process'], r['data']): r for r in table['rows']}
    fractions = dict(kvasir=polyp_fractions(kvasir_small, 'val'),
                     demo=polyp_fractions(demo_root, 'val'))
    sigmoid = (lambda x: 1 / (1 + math.exp(-x)))
    for data, f in fractions.items():
        plain, off = rows[('nc', '-', data)], rows[('nc-pp', 'off', data)]
        ens, on = rows[('ens', '-', data)], rows[('nc-pp', 'on', data)]
        # p = 0.731 > 0.5 everywhere: all polyp; the ensemble: mean(0.953, 0.269) = 0.611
        for row, p in ((plain, sigmoid(1)), (off, sigmoid(1)),
                       (ens, (sigmoid(3) + sigmoid(-1)) / 2)):
            for key, value in all_polyp_scores(f, p).items():
                assert row[key] == pytest.approx(value, abs=1e-6), (row['model'], data, key)
        # post-processing on: 0.731 < 0.9 empties every image (mask and probability map)
        negatives = np.mean([x == 0 for x in f])
        assert on['dice'] == pytest.approx(negatives) and on['recall'] == pytest.approx(negatives)
        assert on['precision'] == pytest.approx(1) and on['pranet_mae'] == pytest.approx(np.mean(f))
    for model, view in (('nc', '-'), ('nc-pp', 'on'), ('ens', '-')):
        ref, out = rows[(model, view, 'kvasir')], rows[(model, view, 'demo')]
        measures = [(ref[k], out[k]) for k in ('dice', 'recall', 'precision')]
        measures.append((1 - ref['hausdorff'], 1 - out['hausdorff']))
        devs = [0 if 0.9 * a <= b <= 1.1 * a else abs(0.9 * a - b) for a, b in measures]
        assert out['gen_gap'] == pytest.approx(np.mean(devs))
        assert out['gen_score'] == pytest.approx(np.mean([b for _, b in measures]))
        assert ref['gen_gap'] is None
        mean = rows[(model, view, 'mean')]
        assert mean['dice'] == pytest.approx((ref['dice'] + out['dice']) / 2)
        assert mean['gen_gap'] == pytest.approx(out['gen_gap'])


@pytest.mark.slow
def test_generalisation_cascade_merged_instances(demo_root, tmp_path):
    """Cascade Mask R-CNN (random weights, 128x128 inputs): scored on the union of instances."""
    config = osp.join(REPO, 'configs', 'demo', 'cascade_polyp_demo.py')
    init_default_scope('mmdet')
    from mmdet.registry import MODELS as DET_MODELS
    model = DET_MODELS.build(Config.fromfile(config).model)
    torch.save({'state_dict': model.state_dict()}, tmp_path / 'cascade.pth')
    rows = run_benchmark([ModelSpec.parse(f"cascade={config}:{tmp_path / 'cascade.pth'}")],
                         [DataSpec.parse(f'demo={demo_root}:val'),
                          DataSpec.parse(f'demo_train={demo_root}:train')],
                         cfg_options={'test_dataloader.dataset.pipeline.1.scale': (128, 128)})
    rows = add_summary_rows(rows, 'demo')
    assert [(r['data'], r['images']) for r in rows] == [('demo', 4), ('demo_train', 12),
                                                        ('mean', 16)]
    negatives = [f == 0 for f in polyp_fractions(demo_root, 'val')]
    assert rows[0]['negatives'] == sum(negatives)
    assert all(0 <= rows[0][k] <= 1 for k in ('dice', 'pranet_mdice', 'pranet_sm', 'gen_score')
               if rows[0][k] is not None)
    assert rows[1]['gen_gap'] >= 0


@pytest.mark.slow
def test_generalisation_bad_inputs_exit_2(demo_root, tmp_path):
    missing_ckpt = run_tool('tools/analysis_tools/generalisation.py', '--models',
                            f'{NANONET_C}:{tmp_path / "none.pth"}', '--data', f'demo={demo_root}')
    assert missing_ckpt.returncode == 2
    assert missing_ckpt.stderr.strip().splitlines() == [
        f'error: checkpoint {tmp_path / "none.pth"} does not exist']
    ckpt = constant_checkpoint(NANONET_C, str(tmp_path / 'c.pth'), 0.0)
    missing_dir = run_tool('tools/analysis_tools/generalisation.py', '--models',
                           f'{NANONET_C}:{ckpt}', '--data', f'demo={demo_root}',
                           f'other={tmp_path / "nowhere"}')
    assert missing_dir.returncode == 2
    lines = missing_dir.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f'error: --data other: directory '
                                                   f'{tmp_path / "nowhere"} does not exist')
    missing_split = run_tool('tools/analysis_tools/generalisation.py', '--models',
                             f'{NANONET_C}:{ckpt}', '--data', f'demo={demo_root}:test2')
    assert missing_split.returncode == 2
    assert 'splits/test2.txt does not exist' in missing_split.stderr
