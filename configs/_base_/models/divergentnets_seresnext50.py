# DivergentNets member (Thambawita et al., EndoCV 2021): SE-ResNeXt-50 32x4d encoder with ImageNet
# weights + an SMP decoder (UNet here; members change `decode_head`), 2 classes, softmax output,
# trained with the single-channel Dice loss on the polyp channel.
model = dict(
    type='EncoderDecoder',
    data_preprocessor=dict(
        type='SegDataPreProcessor',
        mean=[123.675, 116.28, 103.53],  # ImageNet statistics of the pretrained encoder (RGB)
        std=[58.395, 57.12, 57.375],
        bgr_to_rgb=True,
        size_divisor=32,  # training batches are 256x256 already; pads other sizes
        pad_val=0,
        seg_pad_val=255),
    backbone=dict(
        type='SEResNeXtEncoder',  # mmpretrain SEResNeXt returning the stem + 4 stages
        depth=50, groups=32, width_per_group=4,  # SE-ResNeXt-50 32x4d (smp: se_resnext50_32x4d)
        init_cfg=dict(  # ImageNet weights smp loads for se_resnext50_32x4d (keys converted)
            type='Pretrained',
            checkpoint='http://data.lip6.fr/cadene/pretrainedmodels/'
                       'se_resnext50_32x4d-a260b3a4.pth')),
    decode_head=dict(
        type='UNetHead',  # smp Unet decoder, channels (256, 128, 64, 32, 16)
        num_classes=2, out_channels=2,  # background, polyp (softmax2d in the reference code)
        align_corners=False,
        loss_decode=dict(type='SingleChannelDiceLoss', channel=1, eps=1.0)),  # paper Eq. 1
    train_cfg=dict(),
    test_cfg=dict(mode='whole'))
