"""Convert Keras' ImageNet MobileNetV2 weights into NanoNet's encoder checkpoint.

    pip install h5py  # only this tool needs it
    python tools/model_converters/keras_mobilenet_v2.py \\
        mobilenet_v2_weights_tf_dim_ordering_tf_kernels_0.5_224_no_top.h5 \\
        checkpoints/keras_mobilenet_v2_0.5_224_no_top.pth --alpha 0.5

The ``.h5`` files are the ones ``tf.keras.applications.MobileNetV2(alpha=...,
weights='imagenet', include_top=False)`` downloads (alpha 0.35 and 0.5 are
published, at 96-224 px; the weights do not depend on the input size). The
output holds ``state_dict`` for ``NanoNetMobileNetV2(alpha)``, to be named by
``model.backbone.init_cfg=dict(type='Pretrained', checkpoint=...)``.
"""
import argparse
import os
import os.path as osp
import re
import sys
from collections import OrderedDict
from typing import Dict, List, Optional, Tuple

import numpy as np
import torch

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))

from endommlab.errors import ConfigError, DataError  # noqa: E402
from endommlab.models.backbones import NanoNetMobileNetV2  # noqa: E402

#: Keras variable name → PyTorch parameter/buffer name.
VARIABLES = {'kernel': 'weight', 'depthwise_kernel': 'weight', 'gamma': 'weight', 'beta': 'bias',
             'moving_mean': 'running_mean', 'moving_variance': 'running_var'}


def module_of_keras_layer(layer: str) -> Optional[str]:
    """``NanoNetMobileNetV2`` module of a Keras MobileNetV2 layer (``None``: no counterpart)."""
    if layer in ('Conv1', 'bn_Conv1'):
        return 'conv1.conv' if layer == 'Conv1' else 'conv1.bn'
    match = re.fullmatch(r'(?:expanded_conv|block_(\d+))_(expand|depthwise|project)(_BN)?', layer)
    if match is None:
        return None
    block = match.group(1) or '0'
    return f"blocks.{block}.{match.group(2)}.{'bn' if match.group(3) else 'conv'}"


def to_torch_layout(variable: str, array: np.ndarray) -> torch.Tensor:
    """Keras ``HWIO`` kernels → ``OIHW``; depthwise ``HWC1`` → ``C1HW``; vectors unchanged."""
    if variable == 'kernel':
        array = array.transpose(3, 2, 0, 1)
    elif variable == 'depthwise_kernel':
        array = array.transpose(2, 3, 0, 1)
    return torch.from_numpy(np.ascontiguousarray(array, dtype=np.float32))


def convert(weights: Dict[str, np.ndarray],
            model: NanoNetMobileNetV2) -> Tuple['OrderedDict[str, torch.Tensor]', List[str]]:
    """State dict of ``model`` from Keras weights named ``'<layer>/<variable>'``.

    Returns the state dict and the Keras weights the truncated encoder does not
    use (its deeper layers). Raises :class:`DataError` when a weight of the model
    is missing or has another shape (e.g. a file of another ``alpha``).
    """
    state = OrderedDict((k, v.clone()) for k, v in model.state_dict().items())
    filled, unused = set(), []
    for name, array in weights.items():
        layer, variable = name.split('/')[-2:]
        variable = variable.split(':')[0]
        module = module_of_keras_layer(layer)
        key = f'{module}.{VARIABLES.get(variable, variable)}'
        if module is None or key not in state:
            unused.append(name)
            continue
        tensor = to_torch_layout(variable, np.asarray(array))
        if tensor.shape != state[key].shape:
            raise DataError(f'Keras weight {name} has shape {tuple(tensor.shape)} after '
                            f'conversion, {key} needs {tuple(state[key].shape)}: is the file '
                            f'for alpha={model.alpha}?')
        state[key] = tensor
        filled.add(key)
    missing = [k for k in state if not k.endswith('num_batches_tracked') and k not in filled]
    if missing:
        raise DataError(f'{len(missing)} weights of the encoder are not in the Keras file, '
                        f'e.g. {missing[:3]}')
    return state, unused


def read_keras_h5(path: str) -> Dict[str, np.ndarray]:
    """All weights of a Keras ``save_weights`` HDF5 file, named ``'<layer>/<variable>'``."""
    try:
        import h5py
    except ImportError as e:
        raise ConfigError('reading Keras .h5 weights needs h5py: pip install h5py') from e
    if not osp.isfile(path):
        raise DataError(f'Keras weights file {path} does not exist')
    weights = {}
    with h5py.File(path, 'r') as f:
        root = f['model_weights'] if 'model_weights' in f else f
        for layer in root.attrs['layer_names']:
            layer = layer.decode() if isinstance(layer, bytes) else layer
            group = root[layer]
            for name in group.attrs['weight_names']:
                name = name.decode() if isinstance(name, bytes) else name
                weights[f"{layer}/{name.split('/')[-1]}"] = group[name][()]
    return weights


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('src', help='Keras MobileNetV2 weights (.h5)')
    parser.add_argument('dst', help='output checkpoint (.pth)')
    parser.add_argument('--alpha', type=float, required=True, help='width of the Keras model')
    args = parser.parse_args()
    try:
        model = NanoNetMobileNetV2(alpha=args.alpha)
        state, unused = convert(read_keras_h5(args.src), model)
        model.load_state_dict(state, strict=True)
    except (ConfigError, DataError) as e:
        print(f'error: {e}', file=sys.stderr)
        sys.exit(2)
    os.makedirs(osp.dirname(osp.abspath(args.dst)), exist_ok=True)
    torch.save(dict(state_dict=state, meta=dict(source=osp.basename(args.src), alpha=args.alpha)),
               args.dst)
    print(f'{len(state)} tensors written to {args.dst} ({len(unused)} Keras weights of deeper '
          'layers left out)')


if __name__ == '__main__':
    main()
