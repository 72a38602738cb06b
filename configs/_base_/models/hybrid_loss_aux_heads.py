# The three extra heads of He et al. (EndoTect 2020, §2.3), trained with the raw head by the
# hybrid loss L_h = CE_raw + CE_macro + CE_e + CE_u (Eq. 1); targets from HyperKvasirDataset.
aux_heads = dict(
    macro=dict(num_classes=11, loss=dict(type='CrossEntropyLoss', loss_weight=1.0)),  # CE_macro
    oesophagus=dict(num_classes=6, loss=dict(type='CrossEntropyLoss', loss_weight=1.0)),  # CE_e
    ulcer=dict(num_classes=7, loss=dict(type='CrossEntropyLoss', loss_weight=1.0)))  # CE_u
# At the end of training write trimmed.py/.pth: backbone + raw head only (paper Fig. 1c).
custom_hooks = [dict(type='TrimmingHook')]
