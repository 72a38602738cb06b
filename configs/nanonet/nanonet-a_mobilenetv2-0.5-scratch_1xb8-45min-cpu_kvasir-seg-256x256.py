# NanoNet-A from random initialisation for a 45-minute budget on 2 CPU threads (Zen 2; three
# quarters of that on AVX-512 machines): the 20-epoch CPU config's model and flips, with images
# decoded and resized once, Dice plus BCE, and a schedule that ends inside the budget
# (docs/results.md has the curve against wall-clock minutes and the command that drew it).
_base_ = './nanonet-a_mobilenetv2-0.5-scratch_1xb8-20e-cpu-flip_kvasir-seg-256x256.py'

max_epochs = 12  # about 3 min an epoch on a 2-core AVX-512 Xeon, validation included
model = dict(decode_head=dict(loss_decode=[
    dict(type='BatchDiceLoss'),  # the paper's 1 - Dice over the batch
    dict(type='CrossEntropyLoss', use_sigmoid=True, loss_weight=1.0),  # + BCE: dense gradients
]))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0,
         end=110),  # one epoch (110 iterations) of warm-up to the peak learning rate
    dict(type='CosineAnnealingLR', T_max=max_epochs, eta_min=1e-5, by_epoch=True,
         begin=0, end=max_epochs)  # decays to the end of the budget
]
train_cfg = dict(max_epochs=max_epochs)
cached_load = dict(type='CachedTransforms', transforms=[  # decode + resize once per image
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations'),
    dict(type='Resize', scale={{_base_.img_scale}}, keep_ratio=False),
])
train_pipeline = [
    cached_load,
    dict(type='Albu', transforms={{_base_.flip_transforms}}),  # flips, drawn every step
    dict(type='PackSegInputs')
]
test_pipeline = [
    dict(type='CachedTransforms', transforms=[
        dict(type='LoadImageFromFile'),
        dict(type='Resize', scale={{_base_.img_scale}}, keep_ratio=False),
        dict(type='LoadAnnotations'),  # after Resize: ground truth at the original size
    ]),
    dict(type='PackSegInputs')
]
train_dataloader = dict(
    num_workers=0, persistent_workers=False,  # the cache lives in the training process
    dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(num_workers=0, persistent_workers=False,
                      dataset=dict(pipeline=test_pipeline))
test_dataloader = val_dataloader
custom_hooks = [
    dict(type='ChannelsLastHook'),  # NHWC weights: faster CPU (oneDNN) convolutions
    dict(type='WallClockHook'),  # minutes of training with every validation
    dict(type='TrainingCurveHook', val_keys=('polyp/dice', 'polyp/jaccard')),
]
