# NanoNet-A, Jha, Tomar, Ali, Riegler, Johansen, Johansen, Halvorsen, "NanoNet: Real-Time Polyp
# Segmentation in Endoscopy" (CBMS 2021), trained and evaluated on Kvasir-SEG (880/120) at
# 256x256. NanoNet-B and -C (nanonet-b/c_*.py) inherit this file and change only the widths.
_base_ = [
    '../_base_/models/nanonet.py',
    '../_base_/datasets/kvasir_seg_semantic.py',
    '../_base_/schedules/nadam_200e_plateau_nanonet.py',
    '../_base_/default_runtime_seg.py',
]

img_scale = (256, 256)  # paper: images resized to 256x256

# ImageNet MobileNetV2 (alpha 0.5), converted from Keras' weights by
# tools/model_converters/keras_mobilenet_v2.py (see configs/nanonet/README.md).
model = dict(
    backbone=dict(
        init_cfg=dict(type='Pretrained',
                      checkpoint='checkpoints/keras_mobilenet_v2_0.5_224_no_top.pth')))

# Paper's augmentation, each applied at random (albumentations 2.x; tests check each applies).
albu_transforms = [
    dict(type='RandomResizedCrop', size=img_scale, scale=(0.5, 1.0), p=0.5),  # random crop
    dict(type='Rotate', limit=45, border_mode=0, fill=0, fill_mask=0, p=0.5),  # rotation
    dict(type='HorizontalFlip', p=0.5),  # horizontal flip
    dict(type='VerticalFlip', p=0.5),  # vertical flip
    dict(type='GridDistortion', p=0.5),  # grid distortion
]
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations'),
    dict(type='Resize', scale=img_scale, keep_ratio=False),
    dict(type='Albu', transforms=albu_transforms),  # mmseg's wrapper; keeps the 256x256 size
    dict(type='PackSegInputs')
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=img_scale, keep_ratio=False),
    dict(type='LoadAnnotations'),  # after Resize: scored at the original size
    dict(type='PackSegInputs')
]
train_dataloader = dict(batch_size=16, dataset=dict(pipeline=train_pipeline))  # paper: batch 16
val_dataloader = dict(dataset=dict(pipeline=test_pipeline))
test_dataloader = val_dataloader
val_evaluator = [
    dict(type='PolypSegMetric'),  # DSC, mIoU (Jaccard), recall, precision, F2, accuracy
    dict(type='DiceLossMetric'),  # validation loss for the plateau schedule and early stopping
]
test_evaluator = val_evaluator
default_hooks = dict(
    checkpoint=dict(max_keep_ckpts=1, save_best='val/dice_loss',
                    rule='less'))  # Keras ModelCheckpoint(save_best_only) on val_loss
