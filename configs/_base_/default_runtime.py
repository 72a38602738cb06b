# Runtime shared by every EndoMMLab config (mmdet, mmseg and mmpretrain scopes).
custom_imports = dict(imports=['endommlab'], allow_failed_imports=False)  # registers all components

default_hooks = dict(
    timer=dict(type='IterTimerHook'),
    logger=dict(type='LoggerHook', interval=50),  # progress, ETA, losses
    param_scheduler=dict(type='ParamSchedulerHook'),
    checkpoint=dict(type='OrderedCheckpointHook', interval=1, max_keep_ckpts=3),
    sampler_seed=dict(type='DistSamplerSeedHook'))

env_cfg = dict(
    cudnn_benchmark=False,
    mp_cfg=dict(mp_start_method='fork', opencv_num_threads=0),
    dist_cfg=dict(backend='nccl'))  # tools/train.py switches to gloo on CPU-only machines

vis_backends = [dict(type='LocalVisBackend')]
log_processor = dict(
    type='LogProcessor', window_size=50, by_epoch=True,
    # mmengine smooths every key with "loss" in its name over 50 values; DiceLossMetric's
    # val/dice_loss (NanoNet's plateau monitor) is one value per validation: log that value
    # (data_src is the key inside the validation logs, mode prefix removed)
    custom_cfg=[dict(data_src='val/dice_loss', method_name='mean', window_size=1)])
log_level = 'INFO'
load_from = None
resume = False
randomness = dict(seed=0)
