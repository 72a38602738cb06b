# NanoNet-B from random initialisation for a 45-minute budget on 2 CPU threads: NanoNet-A's
# 45-minute recipe (cached pipeline, Dice + BCE, warm-up and cosine decay to the end) on NanoNet-B.
_base_ = './nanonet-a_mobilenetv2-0.5-scratch_1xb8-45min-cpu_kvasir-seg-256x256.py'

max_epochs = 12  # 2.7 min an epoch on an idle 2-core AVX-512 Xeon, validation included
model = dict(
    backbone=dict(alpha=0.35),  # MobileNetV2 width multiplier
    decode_head=dict(
        in_channels=(3, 48, 48, 96),  # alpha 0.35: block_3_expand_relu has 48 channels
        bridge_channels=128,  # NanoNet-B's bridge residual block
        decoder_channels=(96, 64, 32)))  # NanoNet-B's decoder steps, deep to shallow
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0,
         end=110),  # one epoch (110 iterations) of warm-up to the peak learning rate
    dict(type='CosineAnnealingLR', T_max=max_epochs, eta_min=1e-5, by_epoch=True,
         begin=0, end=max_epochs)  # decays to the end of the budget
]
train_cfg = dict(max_epochs=max_epochs)
