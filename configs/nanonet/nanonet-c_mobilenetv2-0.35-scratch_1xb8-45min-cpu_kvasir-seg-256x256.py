# NanoNet-C from random initialisation for a 45-minute budget on 2 CPU threads: NanoNet-A's
# 45-minute recipe (cached pipeline, Dice + BCE, warm-up and cosine decay to the end) on NanoNet-C,
# whose training step takes about 55 % of NanoNet-A's, so more epochs fit.
_base_ = './nanonet-a_mobilenetv2-0.5-scratch_1xb8-45min-cpu_kvasir-seg-256x256.py'

max_epochs = 20  # about 1.7 min an epoch on a 2-core AVX-512 Xeon, validation included
model = dict(
    backbone=dict(alpha=0.35),  # MobileNetV2 width multiplier
    decode_head=dict(
        in_channels=(3, 48, 48, 96),  # alpha 0.35: block_3_expand_relu has 48 channels
        bridge_channels=48,  # NanoNet-C's bridge residual block
        decoder_channels=(32, 24, 16)))  # NanoNet-C's decoder steps, deep to shallow
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0,
         end=110),  # one epoch (110 iterations) of warm-up to the peak learning rate
    dict(type='CosineAnnealingLR', T_max=max_epochs, eta_min=1e-5, by_epoch=True,
         begin=0, end=max_epochs)  # decays to the end of the budget
]
train_cfg = dict(max_epochs=max_epochs)
