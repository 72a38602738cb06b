"""Check the DivergentNets members against Segmentation Models PyTorch (not a dependency).

    pip install --target /tmp/smp segmentation-models-pytorch==0.6.0 timm   # anywhere
    PYTHONPATH=/tmp/smp python tools/analysis_tools/smp_parity.py

For UNet, UNet++, FPN, DeepLabV3 and DeepLabV3+ on ``se_resnext50_32x4d``: builds the SMP
model (random weights, randomised normalisation statistics) and the EndoMMLab encoder +
decode head, loads SMP's encoder weights through the Cadene-key conversion of
``SEResNeXtEncoder`` and copies the decoder weights in order, then prints the parameter
counts and the largest output difference on a random batch (eval mode).
"""
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))

import torch  # noqa: E402
from mmengine.registry import init_default_scope  # noqa: E402
from mmseg.registry import MODELS  # noqa: E402

import endommlab  # noqa: E402,F401
from endommlab.models.backbones.seresnext_encoder import convert_seresnext_state_dict  # noqa: E402

ENCODER = dict(type='SEResNeXtEncoder', depth=50)
CASES = {  # smp class name: (encoder overrides, decode head)
    'Unet': ({}, 'UNetHead'),
    'UnetPlusPlus': ({}, 'UNetPlusPlusHead'),
    'FPN': ({}, 'SemanticFPNHead'),
    'DeepLabV3': (dict(strides=(1, 2, 1, 1), dilations=(1, 1, 2, 4)), 'DeepLabV3Head'),
    'DeepLabV3Plus': (dict(strides=(1, 2, 2, 1), dilations=(1, 1, 1, 2)), 'DeepLabV3PlusHead'),
}


def smp_decoder_order(name: str, key: str) -> tuple:
    """SMP's FPN lists P5..P2 and their segmentation blocks coarse first; ours fine first."""
    if name != 'FPN':
        return (0, 0)
    for i, prefix in enumerate(('p5.', 'p4.', 'p3.', 'p2.')):
        if key.startswith(prefix):
            return (0, 3 - i)
    if key.startswith('seg_blocks.'):
        return (1, 3 - int(key.split('.')[1]))
    return (2, 0)


def randomise_norms(model: torch.nn.Module) -> None:
    for m in model.modules():
        if isinstance(m, (torch.nn.BatchNorm2d, torch.nn.GroupNorm)):
            torch.nn.init.uniform_(m.weight, 0.5, 1.5)
            torch.nn.init.uniform_(m.bias, -0.2, 0.2)
        if isinstance(m, torch.nn.BatchNorm2d):
            m.running_mean.uniform_(-0.1, 0.1)
            m.running_var.uniform_(0.5, 1.5)


def main() -> None:
    import segmentation_models_pytorch as smp
    init_default_scope('mmseg')
    torch.manual_seed(0)
    x = torch.randn(2, 3, 64, 64)
    for name, (enc, head) in CASES.items():
        ref = getattr(smp, name)(encoder_name='se_resnext50_32x4d', encoder_weights=None, classes=2)
        randomise_norms(ref)
        ref.eval()
        ours = MODELS.build(dict(
            type='EncoderDecoder', backbone=dict(ENCODER, **enc),
            decode_head=dict(type=head, num_classes=2, out_channels=2,
                             loss_decode=dict(type='SingleChannelDiceLoss')))).eval()
        ours.backbone.load_state_dict(convert_seresnext_state_dict(ref.encoder.state_dict()),
                                      strict=False)
        ref_dec = sorted(((k, v) for k, v in list(ref.decoder.state_dict().items())
                          + list(ref.segmentation_head.state_dict().items())
                          if 'num_batches' not in k), key=lambda kv: smp_decoder_order(name, kv[0]))
        our_keys = [k for k in ours.decode_head.state_dict() if 'num_batches' not in k]
        our_keys = [k for k in our_keys if not k.startswith('conv_seg')] + \
            [k for k in our_keys if k.startswith('conv_seg')]
        state = ours.decode_head.state_dict()
        for (_, value), key in zip(ref_dec, our_keys, strict=True):
            assert state[key].shape == value.shape, (name, key)
            state[key] = value.clone()
        ours.decode_head.load_state_dict(state)
        with torch.no_grad():
            diff = (ref(x) - ours._forward(x)).abs().max().item()
        n_ref = sum(p.numel() for p in ref.parameters())
        n_ours = sum(p.numel() for p in ours.parameters())
        print(f'{name:14s} params smp {n_ref:,} ours {n_ours:,}  max |output diff| {diff:.2e}')


if __name__ == '__main__':
    main()
