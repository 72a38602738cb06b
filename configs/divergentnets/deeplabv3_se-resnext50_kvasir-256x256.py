# DivergentNets member: DeepLabV3 (smp DeepLabV3) on SE-ResNeXt-50 32x4d, Kvasir-SEG 256x256.
_base_ = [
    '../_base_/models/divergentnets_seresnext50.py',
    '../_base_/datasets/kvasir_seg_divergentnets.py',
    '../_base_/schedules/adam_100e_divergentnets.py',  # + mmseg runtime
]
model = dict(
    backbone=dict(strides=(1, 2, 1, 1), dilations=(1, 1, 2, 4)),  # output stride 8 (smp default)
    decode_head=dict(type='DeepLabV3Head'))  # ASPP rates 12/24/36, 256 channels
