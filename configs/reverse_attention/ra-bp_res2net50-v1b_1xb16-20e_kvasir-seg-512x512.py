# Yu et al. (EndoCV2021), Table 2 "BP": backbone + parallel partial decoder, no reverse attention
# (the global map is the output).
_base_ = './ra-brp_res2net50-v1b_1xb16-20e_kvasir-seg-512x512.py'
model = dict(decode_head=dict(use_reverse_attention=False))
