# NanoNet-A from random initialisation for a 150-minute budget on 2 CPU threads (Zen 2; three
# quarters of that on AVX-512 machines): the 45-minute bfloat16 progressive recipe, stretched over
# more epochs and with the paper's full augmentation back, which a longer schedule can afford.
_base_ = './nanonet-a_mobilenetv2-0.5-scratch_1xb8-45min-cpu-bf16-progressive_kvasir-seg-256x256.py'

max_epochs = 60  # 20 small + 40 full-size epochs: 107 min on the idle 2-core AMX Xeon
small_epochs = 20  # epochs at 192x192
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0,
         end=110),  # one epoch (110 iterations) of warm-up to the peak learning rate
    dict(type='CosineAnnealingLR', T_max=max_epochs, eta_min=1e-5, by_epoch=True,
         begin=0, end=max_epochs)  # decays to the end of the budget
]
train_cfg = dict(max_epochs=max_epochs)
full_size_pipeline = [
    {{_base_.cached_load}},
    dict(type='Albu', transforms={{_base_.albu_transforms}}),  # the paper's crop, rotation,
    # flips and grid distortion, drawn every step on the cached image
    dict(type='PackSegInputs')
]
train_pipeline = full_size_pipeline[:-1] + [
    dict(type='Resize', scale=(192, 192), keep_ratio=False),  # the augmented image, shrunk
    dict(type='PackSegInputs')
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
custom_hooks = [
    dict(type='ChannelsLastHook'),
    dict(type='WallClockHook'),
    dict(type='TrainingCurveHook', val_keys=('polyp/dice', 'polyp/jaccard')),
    dict(type='mmdet.PipelineSwitchHook', switch_epoch=small_epochs,
         switch_pipeline=full_size_pipeline),  # full size from epoch small_epochs + 1
]
