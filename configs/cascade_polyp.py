# Cascade Mask R-CNN polyp segmentation, He, Bano, Stoyanov, Zuo, "Hybrid Loss with Network
# Trimming for Disease Recognition in Gastrointestinal Endoscopy" (EndoTect 2020), trained and
# evaluated on Kvasir-SEG (880/120). Ablations inherit this file (configs/cascade_polyp/).
_base_ = [
    'mmdet::_base_/models/cascade-mask-rcnn_r50_fpn.py',  # 3-stage Cascade Mask R-CNN, R-50-FPN
    './_base_/datasets/kvasir_seg_instance.py',
    './_base_/schedules/sgd_20e_cascade_polyp.py',
    './_base_/default_runtime_det.py',
]

num_classes = 1  # one class: polyp
img_scale = (1024, 1024)  # paper: images resized to 1024x1024


def _stage_head(target_stds):
    return dict(
        type='Shared2FCBBoxHead',
        in_channels=256,
        fc_out_channels=1024,
        roi_feat_size=7,
        num_classes=num_classes,
        bbox_coder=dict(type='DeltaXYWHBBoxCoder', target_means=[0., 0., 0., 0.],
                        target_stds=target_stds),
        reg_class_agnostic=True,
        loss_cls=dict(type='CrossEntropyLoss', use_sigmoid=False, loss_weight=1.0),
        loss_bbox=dict(type='SmoothL1Loss', beta=1.0, loss_weight=1.0))


model = dict(
    roi_head=dict(
        bbox_head=[
            _stage_head([0.1, 0.1, 0.2, 0.2]),  # stage 1 (IoU 0.5)
            _stage_head([0.05, 0.05, 0.1, 0.1]),  # stage 2 (IoU 0.6)
            _stage_head([0.033, 0.033, 0.067, 0.067]),  # stage 3 (IoU 0.7)
        ],
        mask_head=dict(num_classes=num_classes)),
    test_cfg=dict(
        rpn=dict(nms=dict(type='nms', iou_threshold=0.7)),  # paper: RPN NMS 0.7
        rcnn=dict(
            score_thr=0.5,  # paper: R-CNN score threshold 0.5 (mmdet: 0.05)
            nms=dict(type='nms', iou_threshold=0.3),  # paper: R-CNN NMS 0.3 (mmdet: 0.5)
            mask_thr_binary=0.45)))  # paper: mask threshold 0.45 (mmdet: 0.5)

# Paper's augmentation, each applied at random: flip, cutout, colour shift, JPEG compression,
# affine; no blur (found harmful). Albumentations 2.x arguments (tests check each applies).
albu_transforms = [
    dict(type='CoarseDropout', num_holes_range=(1, 8), hole_height_range=(0.02, 0.1),
         hole_width_range=(0.02, 0.1), fill=0, p=0.5),  # cutout
    # colour shift
    dict(type='RGBShift', r_shift_limit=20, g_shift_limit=20, b_shift_limit=20, p=0.5),
    dict(type='ImageCompression', quality_range=(50, 95), compression_type='jpeg', p=0.5),  # JPEG
    dict(type='Affine', scale=(0.9, 1.1), translate_percent=(-0.0625, 0.0625), rotate=(-15, 15),
         shear=(-5, 5), p=0.5),  # affine
]
albu_aug = dict(
    type='Albu',
    transforms=albu_transforms,
    bbox_params=dict(type='BboxParams', format='pascal_voc',
                     label_fields=['gt_bboxes_labels', 'gt_ignore_flags'],
                     min_visibility=0.0, filter_lost_elements=True),
    keymap=dict(img='image', gt_masks='masks', gt_bboxes='bboxes'),
    skip_img_without_anno=True)
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations', with_bbox=True, with_mask=True),
    dict(type='Resize', scale=img_scale, keep_ratio=False),
    dict(type='RandomFlip', prob=0.5, direction=['horizontal', 'vertical']),  # flip
    albu_aug,  # cutout, colour shift, JPEG, affine
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
train_dataloader = dict(batch_size=2, dataset=dict(pipeline=train_pipeline))  # 2 images per GPU
val_dataloader = dict(dataset=dict(pipeline=test_pipeline))
test_dataloader = val_dataloader
default_hooks = dict(checkpoint=dict(save_best='polyp/dice', rule='greater'))

# COCO pre-trained Cascade Mask R-CNN R-50-FPN 1x (classification heads re-initialised)
load_from = 'https://download.openmmlab.com/mmdetection/v2.0/cascade_rcnn/cascade_mask_rcnn_r50_fpn_1x_coco/cascade_mask_rcnn_r50_fpn_1x_coco_20200203-9d4dcb24.pth'  # noqa
