# Yu et al. (EndoCV2021), Table 2 "BRP": Res2Net backbone + reverse attention + parallel partial
# decoder, trained as PraNet: 512x512, multi-scale {0.75, 1, 1.25}, Adam 1e-4, batch 16.
_base_ = [
    '../_base_/models/res2net50-v1b_reverse-attention.py',
    '../_base_/datasets/kvasir_seg_semantic.py',
    '../_base_/schedules/adam_1e-4_20e.py',
    '../_base_/default_runtime_seg.py'
]
img_scale = (512, 512)  # base training / test size
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations'),
    dict(type='Resize', scale=img_scale, keep_ratio=False),  # PraNet: resize only, no flips
    dict(type='PackSegInputs')
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=img_scale, keep_ratio=False),
    dict(type='LoadAnnotations'),  # ground truth at the original size
    dict(type='PackSegInputs')
]
train_dataloader = dict(batch_size=16, dataset=dict(pipeline=train_pipeline))  # batch 16
val_dataloader = dict(dataset=dict(pipeline=test_pipeline))
test_dataloader = val_dataloader
