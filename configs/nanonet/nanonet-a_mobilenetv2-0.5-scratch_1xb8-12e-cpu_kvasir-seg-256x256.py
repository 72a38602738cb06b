# NanoNet-A from random initialisation within a CPU budget: 12 epochs on a 2-core machine (see the
# docs/results.md for the measured wall time and curve). Same model, data and augmentation as the
# scratch config; only the schedule is shortened to fit the budget.
_base_ = './nanonet-a_mobilenetv2-0.5-scratch_1xb16-200e_kvasir-seg-256x256.py'

max_epochs = 12  # CPU budget instead of the paper's 200 epochs with early stopping
train_dataloader = dict(batch_size=8)  # twice the updates per epoch of the paper's batch 16
optim_wrapper = dict(optimizer=dict(lr=1e-3))  # Nadam; from scratch 1e-3 learns, 1e-4 crawls
param_scheduler = [
    # decays to the end of the budget; no plateau patience to wait for
    dict(type='CosineAnnealingLR', T_max=max_epochs, eta_min=1e-5, by_epoch=True,
         begin=0, end=max_epochs)
]
train_cfg = dict(max_epochs=max_epochs)
custom_hooks = [
    dict(type='ChannelsLastHook'),  # NHWC weights: faster CPU (oneDNN) convolutions, same model
    dict(type='TrainingCurveHook',
         val_keys=('polyp/dice', 'polyp/jaccard')),  # work_dir/<run>/curves.png after each val
]
