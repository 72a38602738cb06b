"""EndoCV2021 per-image metrics against hand computations."""
import math

import numpy as np
import pytest
import torch

from endommlab.evaluation.functional import (aggregate_scores, binary_mask_scores, polyp_masks,
                                             row_hausdorff)


def masks_4x4():
    gt = np.zeros((4, 4), np.uint8)
    gt[0:2, 0:2] = 1  # 4 pixels
    pred = np.zeros((4, 4), np.uint8)
    pred[0:2, 1:3] = 1  # 4 pixels, 2 of them inside gt
    return gt, pred


def test_scores_against_hand_computation():
    gt, pred = masks_4x4()
    s = binary_mask_scores(gt, pred)
    tp, fp, fn, tn = 2, 2, 2, 10
    assert s['jaccard'] == pytest.approx(tp / (tp + fp + fn))  # 2/6
    assert s['dice'] == pytest.approx(2 * tp / (2 * tp + fp + fn))  # 4/8
    assert s['precision'] == pytest.approx(0.5)
    assert s['recall'] == pytest.approx(0.5)
    assert s['f2'] == pytest.approx(5 * 0.5 * 0.5 / (4 * 0.5 + 0.5))  # 0.5
    assert s['accuracy'] == pytest.approx((tp + tn) / 16)
    # rows of gt: r0=r1=[1,1,0,0], r2=r3=0; rows of pred: r0=r1=[0,1,1,0], r2=r3=0.
    # every row has an identical or sqrt(2)-distant partner: directed distances are sqrt(2).
    assert s['hausdorff'] == pytest.approx(math.sqrt(2))


def test_asymmetric_f2_weights_recall():
    gt = np.zeros((1, 10), np.uint8)
    gt[0, :8] = 1
    pred = np.zeros((1, 10), np.uint8)
    pred[0, :2] = 1  # precision 1, recall 0.25
    s = binary_mask_scores(gt, pred)
    assert s['precision'] == pytest.approx(1.0)
    assert s['recall'] == pytest.approx(0.25)
    assert s['f2'] == pytest.approx(5 * 1 * 0.25 / (4 * 1 + 0.25))
    assert s['dice'] == pytest.approx(2 * 2 / (2 + 8))


def test_both_empty_is_perfect():
    z = np.zeros((5, 7), np.uint8)
    s = binary_mask_scores(z, z)
    for key in ('jaccard', 'dice', 'f2', 'precision', 'recall', 'accuracy'):
        assert s[key] == pytest.approx(1.0), key
    assert s['hausdorff'] == 0.0


def test_empty_truth_with_prediction_follows_the_toolbox():
    gt = np.zeros((4, 4), np.uint8)
    pred = np.zeros((4, 4), np.uint8)
    pred[1, 1] = 1
    s = binary_mask_scores(gt, pred)
    assert s['jaccard'] == pytest.approx(0.0)
    assert s['dice'] == pytest.approx(0.0)
    assert s['precision'] == pytest.approx(0.0)
    assert s['recall'] == pytest.approx(1.0)  # (0 + eps) / (0 + eps), as EndoCV2021 computes it
    assert s['f2'] == pytest.approx(0.0)
    assert s['accuracy'] == pytest.approx(15 / 16)
    assert s['hausdorff'] == pytest.approx(1.0)  # row [0,1,0,0] vs the nearest zero row


def test_missed_polyp():
    gt = np.ones((3, 3), np.uint8)
    pred = np.zeros((3, 3), np.uint8)
    s = binary_mask_scores(gt, pred)
    assert s['recall'] == pytest.approx(0.0)
    assert s['precision'] == pytest.approx(1.0)  # toolbox smoothing: (0+eps)/(0+eps)
    assert s['dice'] == pytest.approx(0.0)
    assert s['accuracy'] == pytest.approx(0.0)
    assert s['hausdorff'] == pytest.approx(math.sqrt(3))


def test_row_hausdorff_is_symmetric_max_of_directed():
    a = np.array([[0, 0, 0], [1, 1, 1]], np.uint8)
    b = np.array([[0, 0, 0]], np.uint8)
    # a -> b: row [1,1,1] is sqrt(3) from b's only row; b -> a: 0.
    assert row_hausdorff(a, b) == pytest.approx(math.sqrt(3))
    assert row_hausdorff(b, a) == pytest.approx(math.sqrt(3))


def test_aggregate_means_and_normalised_hausdorff():
    per_image = [dict(jaccard=1.0, dice=1.0, f2=1.0, precision=1.0, recall=1.0, accuracy=1.0,
                      hausdorff=0.0),
                 dict(jaccard=0.5, dice=0.6, f2=0.2, precision=0.4, recall=0.8, accuracy=0.9,
                      hausdorff=4.0),
                 dict(jaccard=0.0, dice=0.0, f2=0.0, precision=0.0, recall=0.0, accuracy=0.5,
                      hausdorff=2.0)]
    agg = aggregate_scores(per_image)
    assert agg['dice'] == pytest.approx(1.6 / 3)
    assert agg['accuracy'] == pytest.approx(2.4 / 3)
    assert agg['hausdorff'] == pytest.approx((6 / 3) / 4)  # mean / max
    assert agg['hausdorff_mean'] == pytest.approx(2.0)


def test_shape_mismatch_is_an_error():
    with pytest.raises(ValueError, match='shapes differ'):
        binary_mask_scores(np.zeros((2, 2)), np.zeros((2, 3)))


def test_instance_union_and_score_threshold():
    gt_masks = torch.zeros(2, 4, 4, dtype=torch.bool)
    gt_masks[0, 0, 0] = gt_masks[1, 3, 3] = True
    pred_masks = torch.zeros(2, 4, 4, dtype=torch.bool)
    pred_masks[0, 0, 0] = True
    pred_masks[1, 2, 2] = True
    sample = dict(img_path='x/a.jpg', ori_shape=(4, 4), gt_instances=dict(masks=gt_masks),
                  pred_instances=dict(masks=pred_masks, scores=torch.tensor([0.9, 0.3])))
    name, gt, pred = polyp_masks(sample, score_thr=0.5)
    assert name == 'a.jpg'
    assert gt.sum() == 2 and gt[0, 0] and gt[3, 3]
    assert pred.sum() == 1 and pred[0, 0]
    _, _, pred_all = polyp_masks(sample, score_thr=0.0)
    assert pred_all.sum() == 2


def test_semantic_sample_uses_polyp_index():
    gt = torch.tensor([[[0, 1], [1, 1]]])
    pred = torch.tensor([[[1, 1], [0, 0]]])
    sample = dict(gt_sem_seg=dict(data=gt), pred_sem_seg=dict(data=pred))
    _, g, p = polyp_masks(sample)
    assert g.tolist() == [[False, True], [True, True]]
    assert p.tolist() == [[True, True], [False, False]]


def test_frame_detection_scores_by_hand():
    """Two negatives (one with a false polyp of 2 of 16 pixels), two positives (one found)."""
    from endommlab.evaluation.functional import frame_detection_scores, frame_flags
    empty = np.zeros((4, 4), bool)
    polyp = empty.copy()
    polyp[:2, :2] = True
    speck = empty.copy()
    speck[3, 2:] = True
    frames = [frame_flags(empty, empty), frame_flags(empty, speck),  # negatives
              frame_flags(polyp, polyp), frame_flags(polyp, speck)]  # found, missed
    scores = frame_detection_scores(frames)
    assert scores == pytest.approx(dict(false_alarm_rate=0.5, false_alarm_area=(0 + 2 / 16) / 2,
                                        detection_rate=0.5))
    assert frame_detection_scores(frames[2:]) == dict(detection_rate=0.5)  # no negative frame
    assert set(frame_detection_scores(frames[:2])) == {'false_alarm_rate', 'false_alarm_area'}


def test_polyp_seg_metric_reports_frame_detection_beside_pixel_scores():
    """The 20 negative frames of the measured failure: a polyp marked on each is a false-alarm
    rate of 1 (their pixel scores: Dice 0 but recall 1, which hides it)."""
    from mmengine.structures import PixelData
    from mmseg.structures import SegDataSample

    from endommlab.evaluation.metrics import PolypSegMetric
    metric = PolypSegMetric()
    samples = []
    for i in range(20):
        sample = SegDataSample(metainfo=dict(img_path=f'neg_{i}.jpg'))
        sample.gt_sem_seg = PixelData(data=torch.zeros(1, 8, 8, dtype=torch.long))
        pred = torch.zeros(1, 8, 8, dtype=torch.long)
        pred[0, :3, :3] = 1  # 9 of 64 pixels, ~14 %
        sample.pred_sem_seg = PixelData(data=pred)
        samples.append(sample.to_dict())
    metric.process({}, samples)
    scores = metric.compute_metrics(metric.results)
    assert scores['recall'] == pytest.approx(1.0) and scores['dice'] == pytest.approx(0.0)
    assert scores['false_alarm_rate'] == 1.0
    assert scores['false_alarm_area'] == pytest.approx(9 / 64)
    assert 'detection_rate' not in scores
