# MobileNetV3-large "w. raw" of He et al. (EndoTect 2020, efficient-detection task): the raw
# baseline plus the macro, oesophagus and ulcer heads, trained with the hybrid loss (Eq. 1); at
# the end of training TrimmingHook writes the trimmed model (backbone + raw head, Fig. 1c).
_base_ = ['./mobilenetv3-large_raw_hyperkvasir.py', '../_base_/models/hybrid_loss_aux_heads.py']

model = dict(head=dict(type='HybridLossHead', aux_heads={{_base_.aux_heads}}))
