# He et al. (EndoTect 2020) schedule: SGD lr 0.004, 20 epochs, lr x0.1 after epochs 10 and 18.
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=20, val_interval=1)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
param_scheduler = [
    dict(type='LinearLR', start_factor=0.001, by_epoch=False, begin=0, end=500),  # mmdet warm-up
    dict(type='MultiStepLR', begin=0, end=20, by_epoch=True, milestones=[10, 18], gamma=0.1)
]
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='SGD', lr=0.004, momentum=0.9, weight_decay=0.0001))
auto_scale_lr = dict(enable=False, base_batch_size=4)  # 2 images per GPU x 2 GPUs
