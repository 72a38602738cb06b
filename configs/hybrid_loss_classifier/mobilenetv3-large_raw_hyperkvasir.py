# MobileNetV3-large "raw" baseline of He, Bano, Stoyanov, Zuo, "Hybrid Loss with Network Trimming
# for Disease Recognition in Gastrointestinal Endoscopy" (EndoTect 2020, efficient-detection
# task): one linear head on the 23 raw HyperKvasir classes after global pooling.
# mobilenetv3-large_hybrid_hyperkvasir.py adds the three extra heads of the hybrid loss.
_base_ = [
    '../_base_/datasets/hyperkvasir_2fold.py',
    '../_base_/schedules/sgd_40e_hybrid_loss.py',
    '../_base_/default_runtime_cls.py',
]

model = dict(
    type='ImageClassifier',
    backbone=dict(
        type='MobileNetV3',
        arch='large',  # paper: MobileNetV3-large
        norm_cfg=dict(type='BN', eps=0.001, momentum=0.01),  # mmpretrain's (TensorFlow) BN
        init_cfg=dict(  # ImageNet pre-trained (mmpretrain mobilenet-v3-large_8xb128_in1k)
            type='Pretrained',
            checkpoint='https://download.openmmlab.com/mmclassification/v0/mobilenet_v3/convert/mobilenet_v3_large-3ea3c186.pth',  # noqa
            prefix='backbone')),
    neck=dict(type='GlobalAveragePooling'),  # paper: global pooling before the linear heads
    head=dict(
        type='LinearClsHead',
        num_classes=23,  # raw classes
        in_channels=960,
        loss=dict(type='CrossEntropyLoss', loss_weight=1.0),  # CE_raw
        topk=(1, ),
        cal_acc=True))  # training accuracy in the log

train_dataloader = dict(batch_size=128)  # paper: batch 128 for MobileNetV3
val_dataloader = dict(batch_size=128)
test_dataloader = val_dataloader
auto_scale_lr = dict(enable=False, base_batch_size=128)
default_hooks = dict(checkpoint=dict(save_best='cls/mcc', rule='greater'))  # EndoTect's ranking
