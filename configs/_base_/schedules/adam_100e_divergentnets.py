# DivergentNets schedule: Adam, lr 1e-4 reduced to 1e-5 after epoch 50 (reference code: no weight
# decay, batch 8). The paper gives no total; 100 epochs = 50 at each learning rate. Includes the
# mmseg runtime because it changes its checkpoint hook (keep the best validation polyp Jaccard).
_base_ = '../default_runtime_seg.py'

optim_wrapper = dict(type='OptimWrapper', optimizer=dict(type='Adam', lr=1e-4))
param_scheduler = [dict(type='MultiStepLR', by_epoch=True, milestones=[50], gamma=0.1)]
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=100, val_interval=1)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
default_hooks = dict(  # the reference keeps the checkpoint with the best validation polyp IoU
    checkpoint=dict(type='OrderedCheckpointHook', interval=1, max_keep_ckpts=1,
                    save_best='polyp/jaccard', rule='greater'))
auto_scale_lr = dict(enable=False, base_batch_size=8)
