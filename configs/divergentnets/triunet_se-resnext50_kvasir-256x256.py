# TriUNet (paper Fig. 2): two SE-ResNeXt-50 UNets, their softmax maps concatenated (4 channels) into
# a third UNet; trained end to end with the single-channel Dice loss. Kvasir-SEG 256x256.
_base_ = [
    '../_base_/models/divergentnets_seresnext50.py',
    '../_base_/datasets/kvasir_seg_divergentnets.py',
    '../_base_/schedules/adam_100e_divergentnets.py',  # + mmseg runtime
]
model = dict(type='TriUNet')  # nodes: the base UNet; third node's encoder gets 4 input channels
