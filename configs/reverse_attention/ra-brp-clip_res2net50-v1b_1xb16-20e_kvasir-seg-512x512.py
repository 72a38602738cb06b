# "BRP" with PraNet's gradient clipping: every gradient value clamped to [-0.5, 0.5].
_base_ = './ra-brp_res2net50-v1b_1xb16-20e_kvasir-seg-512x512.py'
optim_wrapper = dict(clip_grad=dict(type='value', clip_value=0.5))  # PraNet's clip_gradient(0.5)
