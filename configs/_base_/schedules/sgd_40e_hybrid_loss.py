# He et al. (EndoTect 2020) classifier schedule: SGD lr 0.003, momentum 0.9, 40 epochs,
# lr x0.1 after epochs 10, 20 and 30.
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=40, val_interval=1)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
param_scheduler = dict(type='MultiStepLR', by_epoch=True, milestones=[10, 20, 30], gamma=0.1)
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='SGD', lr=0.003, momentum=0.9, weight_decay=0.0))  # no weight decay stated
