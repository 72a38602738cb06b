# Demo of configs/cascade_polyp.py on the project's generated endoscopy-like set
# (python tools/dataset_converters/make_demo_data.py data/endo-demo): same cascade, thresholds
# and augmentation, but trained from scratch (no ImageNet / COCO download) in minutes on 2
# CPU cores, which needs a lighter network, a smaller input and a longer schedule than the
# paper's fine-tuning. On a CPU the R-CNN heads cost per sampled RoI, so fewer are sampled.
_base_ = '../cascade_polyp.py'

data_root = 'data/endo-demo'
img_scale = (128, 128)  # paper: 1024x1024; the generated polyps span 20-95 px here


def _rcnn_stage(iou: float) -> dict:
    """mmdet's per-stage R-CNN training settings with 64 sampled RoIs (mmdet: 512)."""
    return dict(
        assigner=dict(type='MaxIoUAssigner', pos_iou_thr=iou, neg_iou_thr=iou, min_pos_iou=iou,
                      match_low_quality=False, ignore_iof_thr=-1),
        sampler=dict(type='RandomSampler', num=64, pos_fraction=0.25, neg_pos_ub=-1,
                     add_gt_as_proposals=True),
        mask_size=28, pos_weight=-1, debug=False)


model = dict(
    backbone=dict(
        depth=18,  # paper: ResNet-50; from scratch on 36 images ResNet-18 learns sooner
        init_cfg=None,  # no ImageNet download
        frozen_stages=-1,  # from scratch nothing is frozen (mmdet: stem + stage 1, pretrained)
        norm_eval=False),  # and BN statistics are learned (mmdet: frozen ImageNet statistics)
    neck=dict(in_channels=[64, 128, 256, 512]),  # ResNet-18 stage widths
    train_cfg=dict(
        rpn_proposal=dict(nms_pre=1000, max_per_img=256),  # mmdet: 2000 / 2000
        rcnn=[_rcnn_stage(0.5), _rcnn_stage(0.6), _rcnn_stage(0.7)]),  # the cascade's IoUs
    test_cfg=dict(rpn=dict(max_per_img=100), rcnn=dict(max_per_img=20)))  # mmdet: 1000 / 100
load_from = None  # no COCO download

train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations', with_bbox=True, with_mask=True),
    dict(type='Resize', scale=img_scale, keep_ratio=False),
    dict(type='RandomFlip', prob=0.5, direction=['horizontal', 'vertical']),
    {{_base_.albu_aug}},  # the paper's cutout, colour shift, JPEG, affine
    dict(type='FilterAnnotations', min_gt_bbox_wh=(1, 1), keep_empty=False),
    dict(type='PackDetInputs')
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=img_scale, keep_ratio=False),
    dict(type='LoadAnnotations', with_bbox=True, with_mask=True),
    dict(type='PackDetInputs', meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape',
                                          'scale_factor'))
]
train_dataloader = dict(dataset=dict(data_root=data_root, pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(data_root=data_root, pipeline=test_pipeline))
test_dataloader = val_dataloader
val_evaluator = [
    dict(type='CocoMetric', ann_file=data_root + '/annotations/instances_val.json',
         metric=['bbox', 'segm']),
    dict(type='PolypInstanceMetric'),
]
test_evaluator = val_evaluator

max_epochs = 24  # paper: 20 epochs of fine-tuning; from scratch needs more passes
train_cfg = dict(max_epochs=max_epochs, val_begin=12, val_interval=6)  # epochs 12, 18, 24
param_scheduler = [
    dict(type='LinearLR', start_factor=0.01, by_epoch=False, begin=0, end=50),  # short warm-up
    dict(type='MultiStepLR', begin=0, end=max_epochs, by_epoch=True, milestones=[20], gamma=0.1)
]
optim_wrapper = dict(optimizer=dict(lr=0.02))  # paper: 0.004 for fine-tuning
default_hooks = dict(logger=dict(interval=6))
