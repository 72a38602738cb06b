# ResNet-152 "raw" baseline of He, Bano, Stoyanov, Zuo, "Hybrid Loss with Network Trimming for
# Disease Recognition in Gastrointestinal Endoscopy" (EndoTect 2020, detection task): one linear
# head on the 23 raw HyperKvasir classes, cross entropy. resnet152_hybrid_hyperkvasir.py adds
# the three extra heads of the hybrid loss.
_base_ = [
    '../_base_/datasets/hyperkvasir_2fold.py',
    '../_base_/schedules/sgd_40e_hybrid_loss.py',
    '../_base_/default_runtime_cls.py',
]

model = dict(
    type='ImageClassifier',
    backbone=dict(
        type='ResNet',
        depth=152,  # paper: ResNet-152
        num_stages=4,
        out_indices=(3, ),
        style='pytorch',
        init_cfg=dict(  # ImageNet pre-trained (mmpretrain resnet152_8xb32_in1k)
            type='Pretrained',
            checkpoint='https://download.openmmlab.com/mmclassification/v0/resnet/resnet152_8xb32_in1k_20210901-4d7582fa.pth',  # noqa
            prefix='backbone')),
    neck=dict(type='GlobalAveragePooling'),  # paper: global pooling before the linear heads
    head=dict(
        type='LinearClsHead',
        num_classes=23,  # raw classes
        in_channels=2048,
        loss=dict(type='CrossEntropyLoss', loss_weight=1.0),  # CE_raw
        topk=(1, ),
        cal_acc=True))  # training accuracy in the log

train_dataloader = dict(batch_size=32)  # paper: batch 32 for ResNet-152
val_dataloader = dict(batch_size=32)
test_dataloader = val_dataloader
auto_scale_lr = dict(enable=False, base_batch_size=32)
default_hooks = dict(checkpoint=dict(save_best='cls/mcc', rule='greater'))  # EndoTect's ranking
