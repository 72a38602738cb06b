# NanoNet (Jha et al., CBMS 2021) schedule: Nadam lr 1e-4; lr x0.1 when the validation loss has
# not improved for 10 epochs (min 1e-7); early stopping after 20 such epochs; at most 200 epochs.
# The validation loss is `val/dice_loss` from DiceLossMetric (mmseg's ValLoop computes no loss).
max_epochs = 200  # paper: 200 epochs
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=max_epochs, val_interval=1)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='NAdam', lr=1e-4, betas=(0.9, 0.999), eps=1e-7))  # Keras Nadam defaults
param_scheduler = [
    dict(
        type='ReduceOnPlateauLR',
        monitor='val/dice_loss',
        rule='less',
        factor=0.1,  # lr x 0.1
        patience=9,  # Keras patience 10 (Keras cuts after 10 bad epochs, mmengine after patience+1)
        threshold=1e-4,  # Keras min_delta 1e-4, absolute
        threshold_rule='abs',
        min_value=1e-7)  # Keras min_lr
]
custom_hooks = [
    dict(type='TrainEarlyStoppingHook', monitor='val/dice_loss', rule='less', min_delta=0.,
         patience=20),  # Keras EarlyStopping(patience=20, min_delta=0); mmengine's hook, resumable
    dict(type='ChannelsLastHook'),  # NHWC weights: faster CPU (oneDNN) convolutions, same model
]
auto_scale_lr = dict(enable=False, base_batch_size=16)  # paper: batch 16 on one GPU
