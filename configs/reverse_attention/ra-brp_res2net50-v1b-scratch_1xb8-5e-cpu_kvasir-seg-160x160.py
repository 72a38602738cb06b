# Reverse-attention BRP (Yu et al., EndoCV2021) from random initialisation within a CPU budget:
# the paper's model, loss and multi-scale training at a reduced size for a 2-core machine (see
# docs/results.md for the measured wall time and curve).
_base_ = './ra-brp_res2net50-v1b_1xb16-20e_kvasir-seg-512x512.py'

img_scale = (160, 160)  # reduced from 512x512 to fit the budget; multi-scale gives 128/160/192
max_epochs = 5  # CPU budget instead of 20 epochs
model = dict(backbone=dict(init_cfg=None))  # random init (no ImageNet Res2Net)
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations'),
    dict(type='Resize', scale=img_scale, keep_ratio=False),
    dict(type='PackSegInputs')
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=img_scale, keep_ratio=False),
    dict(type='LoadAnnotations'),  # ground truth at the original size
    dict(type='PackSegInputs')
]
train_dataloader = dict(batch_size=8, dataset=dict(pipeline=train_pipeline))  # 110 steps/epoch
val_dataloader = dict(dataset=dict(pipeline=test_pipeline))
test_dataloader = val_dataloader
optim_wrapper = dict(optimizer=dict(lr=1e-3))  # Adam; from scratch 1e-3 (1e-4 suits ImageNet init)
param_scheduler = [
    dict(type='CosineAnnealingLR', T_max=max_epochs, eta_min=1e-5, by_epoch=True, begin=0,
         end=max_epochs)  # decays to the end of the budget
]
train_cfg = dict(max_epochs=max_epochs)
custom_hooks = [
    dict(type='TrainingCurveHook',
         val_keys=('polyp/dice', 'polyp/jaccard')),  # work_dir/<run>/curves.png after each val
]
