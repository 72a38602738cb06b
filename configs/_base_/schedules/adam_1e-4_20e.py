# PraNet / Yu et al. (EndoCV2021): Adam, lr 1e-4, 20 epochs; PraNet's x0.1 decay every 50 epochs
# never fires within 20, so the learning rate stays constant.
optim_wrapper = dict(type='OptimWrapper', optimizer=dict(type='Adam', lr=1e-4))
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=20, val_interval=1)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
auto_scale_lr = dict(enable=False, base_batch_size=16)  # one GPU, batch 16
