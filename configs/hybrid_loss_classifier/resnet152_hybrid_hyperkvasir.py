# ResNet-152 "w. raw" of He et al. (EndoTect 2020, detection task): the raw baseline plus the
# macro, oesophagus and ulcer heads, trained with the hybrid loss (Eq. 1); at the end of training
# TrimmingHook writes the trimmed model (backbone + raw head, Fig. 1c) to the work dir.
_base_ = ['./resnet152_raw_hyperkvasir.py', '../_base_/models/hybrid_loss_aux_heads.py']

model = dict(head=dict(type='HybridLossHead', aux_heads={{_base_.aux_heads}}))
