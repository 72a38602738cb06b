# NanoNet-A's 45-minute recipe made faster per epoch, so more epochs fit the budget: forward passes
# in bfloat16 (a processor with AVX-512 BF16 or AMX; on AVX2-only ones bfloat16 is slower) and the
# first epochs at 192x192 (progressive resizing). Validation and testing stay float32 at 256x256.
_base_ = './nanonet-a_mobilenetv2-0.5-scratch_1xb8-45min-cpu_kvasir-seg-256x256.py'

max_epochs = 20  # 8 small + 12 full-size epochs, about 33 min on the 2-core AMX Xeon
small_epochs = 8  # epochs at 192x192: a step costs about half of one at 256x256
optim_wrapper = dict(type='CPUAutocastOptimWrapper', dtype='bfloat16')  # 1.5x faster steps
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0,
         end=110),  # one epoch (110 iterations) of warm-up to the peak learning rate
    dict(type='CosineAnnealingLR', T_max=max_epochs, eta_min=1e-5, by_epoch=True,
         begin=0, end=max_epochs)  # decays to the end of the budget
]
train_cfg = dict(max_epochs=max_epochs)
train_pipeline = [
    {{_base_.cached_load}},
    dict(type='Resize', scale=(192, 192), keep_ratio=False),  # the cached 256x256 image, shrunk
    dict(type='Albu', transforms={{_base_.flip_transforms}}),
    dict(type='PackSegInputs')
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
custom_hooks = [
    dict(type='ChannelsLastHook'),
    dict(type='WallClockHook'),
    dict(type='TrainingCurveHook', val_keys=('polyp/dice', 'polyp/jaccard')),
    dict(type='mmdet.PipelineSwitchHook', switch_epoch=small_epochs,
         switch_pipeline={{_base_.train_pipeline}}),  # full size from epoch small_epochs + 1
]
