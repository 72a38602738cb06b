# DivergentNets (paper Fig. 3): mean of the polyp probabilities of UNet++, FPN, DeepLabV3,
# DeepLabV3+ and TriUNet, >= 0.5 -> polyp. Members are trained separately with their own
# configs; their best checkpoints (CheckpointHook save_best) are found by the patterns below.
# Pack them into one checkpoint with tools/model_converters/pack_ensemble.py, then run
# tools/test.py on it.
_base_ = [
    '../_base_/datasets/kvasir_seg_divergentnets.py',
    '../_base_/default_runtime_seg.py',
]
member_names = [
    'unetpp_se-resnext50_kvasir-256x256',
    'fpn_se-resnext50_kvasir-256x256',
    'deeplabv3_se-resnext50_kvasir-256x256',
    'deeplabv3plus_se-resnext50_kvasir-256x256',
    'triunet_se-resnext50_kvasir-256x256',
]
model = dict(
    type='DivergentNets',
    members=[
        dict(config=f'configs/divergentnets/{name}.py',
             checkpoint=f'work_dirs/{name}/best_polyp_jaccard_epoch_*.pth')
        for name in member_names
    ],
    threshold=0.5)  # mean polyp probability >= 0.5 -> polyp (reference: round())
train_dataloader = None  # not trained as a whole: each member is, with its own config
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
custom_hooks = [dict(type='EnsembleMemberMaskHook', out_dir=None)]  # set out_dir: members' masks
