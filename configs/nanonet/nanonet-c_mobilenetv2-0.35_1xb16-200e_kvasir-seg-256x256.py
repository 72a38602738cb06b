# NanoNet-C (Jha et al., CBMS 2021): NanoNet-B's encoder with the narrowest decoder
# (36,561 parameters in the paper's Keras count).
_base_ = './nanonet-b_mobilenetv2-0.35_1xb16-200e_kvasir-seg-256x256.py'

model = dict(
    decode_head=dict(
        bridge_channels=48,  # bridge residual block
        decoder_channels=(32, 24, 16)))  # decoder steps, deep to shallow
