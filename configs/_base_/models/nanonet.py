# NanoNet (Jha et al., CBMS 2021): Keras MobileNetV2 encoder cut at block_6_expand_relu and a
# residual/squeeze-excitation decoder with one sigmoid output channel. Widths here are
# NanoNet-A's; configs/nanonet/ sets each variant's.
data_preprocessor = dict(
    type='SegDataPreProcessor',
    mean=[0., 0., 0.],
    std=[255., 255., 255.],  # paper: inputs scaled to [0, 1]
    bgr_to_rgb=True,  # RGB, as the ImageNet weights were trained (the released code feeds BGR)
    size_divisor=8,  # stride of the encoder output
    pad_val=0,
    seg_pad_val=255)
model = dict(
    type='EncoderDecoder',
    data_preprocessor=data_preprocessor,
    backbone=dict(
        type='NanoNetMobileNetV2',
        alpha=0.5,  # MobileNetV2 width multiplier (A: 0.5, B/C: 0.35)
        norm_cfg=dict(type='BN', eps=1e-3, momentum=1e-3),  # Keras MobileNetV2: eps 1e-3, 0.999
        out_layers=('input_image', 'block_1_expand_relu', 'block_3_expand_relu',
                    'block_6_expand_relu')),  # skips at strides 1, 2, 4 and the encoder output (8)
    decode_head=dict(
        type='NanoNetHead',
        in_channels=(3, 48, 96, 96),  # channels of the four backbone outputs (alpha 0.5)
        bridge_channels=192,  # bridge residual block (A: 192, B: 128, C: 48)
        decoder_channels=(128, 64, 32),  # decoder steps, deep to shallow
        shortcut='conv',  # paper's 1x1 conv + BN shortcut ('bn': the released code's)
        num_classes=2,  # background, polyp
        out_channels=1,  # one sigmoid channel
        threshold=0.5,  # released test.py: mask = sigmoid > 0.5
        norm_cfg=dict(type='BN', eps=1e-3, momentum=0.01),  # Keras BatchNormalization: 0.99
        loss_decode=dict(type='BatchDiceLoss')),  # 1 - Dice over the batch, eps 1e-15
    train_cfg=dict(),
    test_cfg=dict(mode='whole'))
