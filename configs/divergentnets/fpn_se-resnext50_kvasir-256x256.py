# DivergentNets member: FPN (smp FPN) on SE-ResNeXt-50 32x4d, Kvasir-SEG 256x256.
_base_ = [
    '../_base_/models/divergentnets_seresnext50.py',
    '../_base_/datasets/kvasir_seg_divergentnets.py',
    '../_base_/schedules/adam_100e_divergentnets.py',  # + mmseg runtime
]
model = dict(decode_head=dict(type='SemanticFPNHead'))  # pyramid 256, segmentation 128, dropout 0.2
