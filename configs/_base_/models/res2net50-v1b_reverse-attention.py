# PraNet (Fan et al., MICCAI 2020) as extended by Yu, Yan, Li (EndoCV2021): Res2Net-50 v1b
# 26w x 4s + receptive-field blocks, parallel partial decoder and reverse attention; one logit map.
norm_cfg = dict(type='BN', requires_grad=True)
data_preprocessor = dict(
    type='BatchAugSegDataPreProcessor',
    mean=[123.675, 116.28, 103.53],  # ImageNet normalisation, as PraNet's transforms.Normalize
    std=[58.395, 57.12, 57.375],
    bgr_to_rgb=True,
    size_divisor=32,  # batches padded to a multiple of the output stride (a no-op at 512x512)
    pad_val=0,
    seg_pad_val=255,
    batch_augments=[
        dict(type='MultiScaleBatchResize',
             scale_rates=(0.75, 1.0, 1.25),  # multi-scale training: one rate per batch
             size_divisor=32)  # sizes rounded to multiples of 32 (384/512/640 around 512)
    ])
model = dict(
    type='EncoderDecoder',
    data_preprocessor=data_preprocessor,
    backbone=dict(
        type='Res2NetV1b',
        depth=50, scales=4, base_width=26,  # Res2Net-50 v1b 26w x 4s (deep stem, avg-down)
        out_indices=(0, 1, 2, 3),  # f2..f5; f3, f4, f5 feed the head
        norm_cfg=norm_cfg,
        init_cfg=dict(
            type='Pretrained',  # ImageNet weights of the official Res2Net release (PraNet's)
            checkpoint='https://shanghuagao.oss-cn-beijing.aliyuncs.com/res2net/'
                       'res2net50_v1b_26w_4s-3cf99910.pth')),
    decode_head=dict(
        type='ReverseAttentionHead',
        in_channels=(512, 1024, 2048),  # f3, f4, f5 at 1/8, 1/16, 1/32
        in_index=(1, 2, 3),
        channels=32,  # RFB output channels
        use_partial_decoder=True,  # "P" of the ablation: global map from the partial decoder
        use_reverse_attention=True,  # "R": three reverse-attention branches f5 -> f4 -> f3
        num_classes=2,
        out_channels=1,  # one sigmoid map
        threshold=0.5,  # PraNet binarises its sigmoid output at 0.5
        norm_cfg=norm_cfg,
        loss_decode=dict(type='StructureLoss', kernel_size=31, edge_weight=5.0,  # Eq. 1
                         pranet_bce=False)),  # true weighted BCE (True: PraNet's plain BCE)
    train_cfg=dict(),
    test_cfg=dict(mode='whole'))
