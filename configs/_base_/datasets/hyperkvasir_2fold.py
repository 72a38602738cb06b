# HyperKvasir labelled images (23 raw classes) in the release layout, fold 0 of the official
# 2-fold split: train on split index 1, validate and test on split index 0 (He et al., EndoTect
# 2020, 2-fold cross-validation; *_fold1.py configs swap the folds). data_root holds
# labeled-images/{lower,upper}-gi-tract/... and official_splits/2_fold_split.csv.
dataset_type = 'HyperKvasirDataset'
data_root = 'data/hyper-kvasir'
ann_file = 'official_splits/2_fold_split.csv'
img_scale = (224, 224)  # ImageNet input size of the pre-trained backbones (not stated in the paper)
label_keys = ('gt_label_macro', 'gt_label_oesophagus', 'gt_label_ulcer')  # extra heads' targets

data_preprocessor = dict(
    num_classes=23,
    mean=[123.675, 116.28, 103.53],  # ImageNet statistics of the pre-trained backbones
    std=[58.395, 57.12, 57.375],
    to_rgb=True)

# Paper's augmentation: contrast, colour shift, brightness, flipping, perspective transformation
# and blur, each applied at random (albumentations 2.x; tests check each one applies).
albu_transforms = [
    # contrast
    dict(type='RandomBrightnessContrast', brightness_limit=0, contrast_limit=0.2, p=0.5),
    # colour shift
    dict(type='RGBShift', r_shift_limit=20, g_shift_limit=20, b_shift_limit=20, p=0.5),
    # brightness
    dict(type='RandomBrightnessContrast', brightness_limit=0.2, contrast_limit=0, p=0.5),
    dict(type='HorizontalFlip', p=0.5),  # flipping
    dict(type='VerticalFlip', p=0.5),  # flipping
    dict(type='Perspective', scale=(0.05, 0.1), p=0.5),  # perspective transformation
    dict(type='Blur', blur_limit=(3, 7), p=0.5),  # blur
]
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=img_scale, keep_ratio=False),
    dict(type='Albumentations', transforms=albu_transforms),
    dict(type='PackInputs', algorithm_keys=label_keys)
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=img_scale, keep_ratio=False),
    dict(type='PackInputs', algorithm_keys=label_keys)
]
train_dataloader = dict(
    batch_size=32,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(type=dataset_type, data_root=data_root, ann_file=ann_file, fold=0, split='train',
                 pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=32,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(type=dataset_type, data_root=data_root, ann_file=ann_file, fold=0, split='val',
                 pipeline=test_pipeline))
test_dataloader = val_dataloader
# Raw head: macro/micro precision, recall, F1 and MCC; accuracy of every head.
val_evaluator = dict(type='MultiHeadClsMetric')
test_evaluator = dict(type='MultiHeadClsMetric', plot_confusion_matrix=True)  # + paper Fig. 3
