# NanoNet-B (Jha et al., CBMS 2021): NanoNet-A's recipe with a MobileNetV2 of width 0.35 and a
# narrower decoder.
_base_ = './nanonet-a_mobilenetv2-0.5_1xb16-200e_kvasir-seg-256x256.py'

model = dict(
    backbone=dict(
        alpha=0.35,  # MobileNetV2 width multiplier
        init_cfg=dict(checkpoint='checkpoints/keras_mobilenet_v2_0.35_224_no_top.pth')),
    decode_head=dict(
        in_channels=(3, 48, 48, 96),  # alpha 0.35: block_3_expand_relu has 48 channels
        bridge_channels=128,  # bridge residual block
        decoder_channels=(96, 64, 32)))  # decoder steps, deep to shallow
