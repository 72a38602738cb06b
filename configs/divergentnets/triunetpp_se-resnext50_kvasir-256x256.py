# Ablation "TriUNet++" (the paper's future work): TriUNet whose three nodes are UNet++.
_base_ = './triunet_se-resnext50_kvasir-256x256.py'
model = dict(decode_head=dict(type='UNetPlusPlusHead'))
