# Ablation: MMDetection's default inference thresholds instead of the paper's tuned ones.
_base_ = '../cascade_polyp.py'

model = dict(
    test_cfg=dict(
        rcnn=dict(
            score_thr=0.05,  # mmdet default (paper: 0.5)
            nms=dict(type='nms', iou_threshold=0.5),  # mmdet default (paper: 0.3)
            mask_thr_binary=0.5)))  # mmdet default (paper: 0.45)
