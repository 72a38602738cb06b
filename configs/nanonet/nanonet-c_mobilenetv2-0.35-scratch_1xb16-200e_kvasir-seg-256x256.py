# NanoNet-C trained from random initialisation (no ImageNet MobileNetV2): the paper's recipe with
# PyTorch's usual BN momentum. Keras' momenta (0.999 encoder, 0.99 decoder) suit statistics that
# start from ImageNet; from scratch they trail the weights so long that the evaluation-mode model
# predicts no polyp (measured: validation Dice 0.000 from epoch 3 on; WeightInitCheckHook refuses
# that setting).
_base_ = './nanonet-c_mobilenetv2-0.35_1xb16-200e_kvasir-seg-256x256.py'

model = dict(
    backbone=dict(init_cfg=None, norm_cfg=dict(momentum=0.1)),  # random init, BN momentum 0.1
    decode_head=dict(norm_cfg=dict(momentum=0.1)))  # BN momentum 0.1
