# Yu et al. (EndoCV2021), Table 2 "BR": backbone + reverse attention, no partial decoder (the
# initial map is a 1x1 convolution of f5).
_base_ = './ra-brp_res2net50-v1b_1xb16-20e_kvasir-seg-512x512.py'
model = dict(decode_head=dict(use_partial_decoder=False))
