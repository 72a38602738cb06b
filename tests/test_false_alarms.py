"""Frames without a polyp: the negative-frame converter, and threshold post-processing
calibrated for a false-alarm target (hand-made cases and the tool end to end)."""
import json
import os
import os.path as osp

import cv2
import numpy as np
import pytest
import torch
from mmengine.config import Config

from endommlab.apis import init_model
from endommlab.benchmark import calibrate, frame_counts, pareto_front
from endommlab.datasets.converters import convert_negative_frames
from endommlab.errors import ConfigError, DataError
from conftest import NEGATIVE_SPLITS, NEGATIVES, REPO, require_path, run_tool


def test_negative_frames_are_split_by_sequence(negatives):
    sizes = {}
    for split, seqs in NEGATIVE_SPLITS.items():
        with open(osp.join(negatives, 'splits', f'{split}.txt')) as f:
            stems = [s.strip() for s in f]
        assert {'_'.join(s.split('_')[:2]) for s in stems} == set(seqs)  # whole sequences
        sizes[split] = len(stems)
    assert sizes == {'train': 79, 'calib': 59, 'test': 112}
    mask = cv2.imread(osp.join(negatives, 'masks', 'seq1_neg_seq1_img1.png'), cv2.IMREAD_UNCHANGED)
    image = cv2.imread(osp.join(negatives, 'images', 'seq1_neg_seq1_img1.jpg'))
    assert mask.shape == image.shape[:2] and not mask.any()


def test_negative_frames_refuse_unknown_or_repeated_sequences(tmp_path):
    with pytest.raises(ConfigError, match=r"sequences \['seq9_neg'\] are not folders"):
        convert_negative_frames(require_path(NEGATIVES), str(tmp_path), {'a': ['seq9_neg']})
    with pytest.raises(ConfigError, match='in more than one split'):
        convert_negative_frames(NEGATIVES, str(tmp_path), {'a': ['seq1_neg'], 'b': ['seq1_neg']})


def test_calibration_by_hand():
    """Positives: a 4x4 polyp found at both thresholds. Negatives: one frame with a confident
    speck (1 px, p=0.95), one with a faint blob (4 px, p=0.6)."""
    gt = np.zeros((8, 8), bool)
    gt[:4, :4] = True
    prob = np.where(gt, 0.97, 0.0).astype(np.float32)
    speck = np.zeros((8, 8), np.float32)
    speck[7, 7] = 0.95
    faint = np.zeros((8, 8), np.float32)
    faint[6:, :2] = 0.6
    empty = np.zeros((8, 8), bool)
    thresholds, areas = (0.5, 0.9), (0.0, 2 / 64)
    pos = [frame_counts(gt, prob, thresholds)]
    neg = [frame_counts(empty, speck, thresholds), frame_counts(empty, faint, thresholds)]
    assert list(neg[1].area) == [4 / 64, 0.0]
    best, grid = calibrate(pos, neg, 0.0, thresholds, areas)
    # only threshold 0.9 (drops the faint blob) with area 2/64 (empties the speck) reaches 0 %
    assert best == dict(threshold=0.9, reference_area=2 / 64, dice=pytest.approx(1.0),
                        false_alarm_rate=0.0)
    by_pair = {(g['threshold'], g['reference_area']): g for g in grid}
    assert by_pair[(0.5, 0.0)]['false_alarm_rate'] == 1.0
    assert by_pair[(0.9, 0.0)]['false_alarm_rate'] == 0.5
    best, _ = calibrate(pos, neg, 0.5, thresholds, areas)
    assert best['false_alarm_rate'] <= 0.5 and best['dice'] == pytest.approx(1.0)
    front = pareto_front(grid)
    assert front[0]['false_alarm_rate'] == 0.0
    with pytest.raises(DataError, match='frames with a polyp and frames without'):
        calibrate(pos, [], 0.1)


@pytest.mark.slow
def test_calibration_tool_writes_a_config_that_runs(negatives, demo_root, tmp_path):
    config = osp.join(REPO, 'configs', 'nanonet',
                      'nanonet-c_mobilenetv2-0.35-scratch_1xb8-20e-cpu_kvasir-seg-256x256.py')
    torch.manual_seed(0)
    checkpoint = str(tmp_path / 'c.pth')
    torch.save({'state_dict': init_model(config).state_dict(), 'meta': {}}, checkpoint)
    out = str(tmp_path / 'configs' / 'calibrated.py')
    res = run_tool('tools/analysis_tools/calibrate_post_process.py', config, checkpoint,
                   '--positives', f'{demo_root}:val', '--negatives', f'{negatives}:calib',
                   '--max-false-alarm', '1.0', '-o', out)
    assert res.returncode == 0, res.stderr[-3000:]
    cfg = Config.fromfile(out)
    assert cfg.model.type == 'ThresholdPostProcessSegmentor'
    assert cfg.model.segmentor.decode_head.type == 'NanoNetHead'
    with open(osp.join(tmp_path, 'configs', 'calibrated.calibration.json')) as f:
        report = json.load(f)
    assert report['best']['threshold'] == cfg.model.test_cfg.threshold
    assert len(report['grid']) == 8 * 12 and report['pareto_front']
    assert os.path.isfile(osp.join(tmp_path, 'configs', 'calibrated.calibration.png'))
    test = run_tool('tools/test.py', out, checkpoint, '--work-dir', str(tmp_path / 'test'),
                    '--cfg-options', f'test_dataloader.dataset.data_root={negatives}',
                    'test_dataloader.dataset.ann_file=splits/test.txt')
    assert test.returncode == 0, test.stderr[-3000:]
    assert 'false_alarm_rate' in test.stdout + test.stderr


def test_negatives_config_mixes_whole_training_sequences(negatives, kvasir_small):
    from mmengine.registry import init_default_scope
    from mmseg.registry import DATASETS
    cfg = Config.fromfile(osp.join(
        REPO, 'configs', 'nanonet',
        'nanonet-c_mobilenetv2-0.35-scratch_1xb8-45min-cpu_kvasir-seg-polypgen-neg-256x256.py'))
    kvasir, negative = cfg.train_dataloader.dataset.datasets
    kvasir.data_root, negative.data_root = kvasir_small, negatives
    init_default_scope('mmseg')
    dataset = DATASETS.build(cfg.train_dataloader.dataset)
    assert len(dataset) == 16 + 79
    stems = [osp.basename(dataset.get_data_info(i)['img_path']) for i in range(16, len(dataset))]
    assert {s.split('_')[0] for s in stems} == {'seq1', 'seq2'}  # only the training sequences
    sample = dataset[16]
    assert sample['inputs'].shape == (3, 256, 256)  # the model's own training pipeline
    assert not sample['data_samples'].gt_sem_seg.data.any()  # a frame without a polyp
    assert dataset[0]['data_samples'].gt_sem_seg.data.any()
