# NanoNet-C from random initialisation for a 45-minute budget on 2 CPU threads: NanoNet-B's
# 45-minute config (NanoNet-A's recipe: cached pipeline, Dice + BCE, warm-up and cosine decay to
# the end) with NanoNet-C's decoder, whose training step takes about 55 % of NanoNet-A's, so more
# epochs fit.
_base_ = './nanonet-b_mobilenetv2-0.35-scratch_1xb8-45min-cpu_kvasir-seg-256x256.py'

max_epochs = 20  # about 1.7 min an epoch on a 2-core AVX-512 Xeon, validation included
model = dict(
    decode_head=dict(
        bridge_channels=48,  # NanoNet-C's bridge residual block
        decoder_channels=(32, 24, 16)))  # NanoNet-C's decoder steps, deep to shallow
# the schedule is evaluated with the base's max_epochs when the base loads, so it is restated
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0,
         end=110),  # one epoch (110 iterations) of warm-up to the peak learning rate
    dict(type='CosineAnnealingLR', T_max=max_epochs, eta_min=1e-5, by_epoch=True,
         begin=0, end=max_epochs)  # decays to the end of the budget
]
train_cfg = dict(max_epochs=max_epochs)
