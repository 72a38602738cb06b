# Kvasir-SEG with the DivergentNets augmentation (reference data/prepare_data.py), written for
# albumentations 2.x; inputs 256x256, evaluation at the original size.
_base_ = './kvasir_seg_semantic.py'

albu_transforms = [
    dict(type='HorizontalFlip', p=0.5),
    # = ShiftScaleRotate(shift_limit=0.1, scale_limit=0.5, rotate_limit=0, border_mode=0)
    dict(type='Affine',
         scale=(0.5, 1.5), keep_ratio=True, translate_percent=(-0.1, 0.1), rotate=0,
         border_mode=0, fill=0, fill_mask=0, p=1),
    dict(type='Resize', height=256, width=256),  # 256x256 inputs
    dict(type='GaussNoise', std_range=(0.01, 0.05), per_channel=False,  # = IAAAdditiveGaussianNoise
         p=0.2),  # imgaug default: sigma 0.01-0.05 x 255, one value for all channels
    dict(type='Perspective', scale=(0.05, 0.1), p=0.5),  # = IAAPerspective defaults
    dict(type='OneOf', p=0.9, transforms=[
        dict(type='CLAHE', p=1),
        dict(type='RandomBrightnessContrast', brightness_limit=0.2, contrast_limit=0,
             p=1),  # = RandomBrightness
        dict(type='RandomGamma', p=1),
    ]),
    dict(type='OneOf', p=0.9, transforms=[
        dict(type='Sharpen', alpha=(0.2, 0.5), lightness=(0.5, 1.0), p=1),  # = IAASharpen defaults
        dict(type='Blur', blur_limit=3, p=1),
        dict(type='MotionBlur', blur_limit=3, p=1),
    ]),
    dict(type='OneOf', p=0.9, transforms=[
        dict(type='RandomBrightnessContrast', brightness_limit=0, contrast_limit=0.2,
             p=1),  # = RandomContrast
        dict(type='HueSaturationValue', p=1),
    ]),
]
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations'),
    dict(type='AlbuSeg', transforms=albu_transforms),
    dict(type='PackSegInputs')
]
train_dataloader = dict(batch_size=8, dataset=dict(pipeline=train_pipeline))  # reference: batch 8
val_evaluator = [
    dict(type='PolypSegMetric'),  # EndoCV2021 per-image metrics
    dict(type='ClassWiseSegMetric'),  # IoU/F1/precision/recall: polyp, background, all classes
]
test_evaluator = val_evaluator
