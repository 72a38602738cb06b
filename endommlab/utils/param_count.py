"""Parameter counts under the two conventions papers use."""
import torch.nn as nn


def keras_param_count(module: nn.Module) -> int:
    """Parameters as Keras' ``model.summary()`` counts them: weights plus BN moving statistics.

    PyTorch's usual count (``sum(p.numel() for p in module.parameters())``) leaves
    out the BN ``running_mean``/``running_var`` buffers that Keras counts as
    non-trainable parameters (``num_batches_tracked`` has no Keras counterpart).
    """
    buffers = sum(b.numel() for name, b in module.named_buffers()
                  if name.endswith(('running_mean', 'running_var')))
    return sum(p.numel() for p in module.parameters()) + buffers
