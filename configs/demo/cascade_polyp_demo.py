# Demo of configs/cascade_polyp.py on the project's generated endoscopy-like set
# (python tools/dataset_converters/make_demo_data.py data/endo-demo): same model, thresholds
# and augmentation, but no pre-training, 256x256 inputs, fewer proposals and a 2-epoch
# schedule, so that it trains and evaluates in minutes on 2 CPU cores. On a CPU the R-CNN
# heads, not the image size, dominate the cost: they run once per proposal.
_base_ = '../cascade_polyp.py'

data_root = 'data/endo-demo'
img_scale = (256, 256)  # paper: 1024x1024

model = dict(
    backbone=dict(
        init_cfg=None,  # no ImageNet download
        frozen_stages=-1,  # from scratch nothing is frozen (mmdet: stem + stage 1, pretrained)
        norm_eval=False),  # and BN statistics are learned (mmdet: frozen ImageNet statistics)
    train_cfg=dict(rpn_proposal=dict(max_per_img=256)),  # mmdet: 2000 proposals
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

max_epochs = 2  # paper: 20
train_cfg = dict(max_epochs=max_epochs)
param_scheduler = [
    dict(type='LinearLR', start_factor=0.01, by_epoch=False, begin=0, end=10),  # short warm-up
    dict(type='MultiStepLR', begin=0, end=max_epochs, by_epoch=True, milestones=[1], gamma=0.1)
]
optim_wrapper = dict(optimizer=dict(lr=0.01))
default_hooks = dict(logger=dict(interval=5))
