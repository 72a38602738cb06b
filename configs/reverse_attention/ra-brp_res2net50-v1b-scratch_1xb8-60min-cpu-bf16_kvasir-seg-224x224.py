# RA-BRP from random initialisation for a 60-minute budget on 2 CPU threads (Zen 2; three
# quarters of that on AVX-512 machines): the 5-epoch CPU config's model, loss and multi-scale
# training, with NanoNet's fast recipe (images decoded and resized once, bfloat16 forward passes,
# flips, warm-up and a cosine decay that ends with the budget). docs/results.md has the curve.
_base_ = './ra-brp_res2net50-v1b-scratch_1xb8-5e-cpu_kvasir-seg-160x160.py'

img_scale = (224, 224)  # multi-scale training gives 160/224/288
max_epochs = 21  # 2.0-2.3 min an epoch on the 2-core AMX Xeon, validation included
optim_wrapper = dict(type='CPUAutocastOptimWrapper', dtype='bfloat16')  # dense convs on AMX
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0,
         end=110),  # one epoch (110 iterations) of warm-up to the peak learning rate
    dict(type='CosineAnnealingLR', T_max=max_epochs, eta_min=1e-5, by_epoch=True,
         begin=0, end=max_epochs)  # decays to the end of the budget
]
train_cfg = dict(max_epochs=max_epochs)
train_pipeline = [
    dict(type='CachedTransforms', transforms=[  # decode + resize once per image
        dict(type='LoadImageFromFile'),
        dict(type='LoadAnnotations'),
        dict(type='Resize', scale=img_scale, keep_ratio=False),
    ]),
    dict(type='Albu', transforms=[
        dict(type='HorizontalFlip', p=0.5),  # NanoNet's flips, drawn every step (PraNet has
        dict(type='VerticalFlip', p=0.5),  # none; it starts from ImageNet weights)
    ]),
    dict(type='PackSegInputs')
]
test_pipeline = [
    dict(type='CachedTransforms', transforms=[
        dict(type='LoadImageFromFile'),
        dict(type='Resize', scale=img_scale, keep_ratio=False),
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
