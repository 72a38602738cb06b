"""Export a model to ONNX with ``torch.onnx`` (TorchScript-based exporter), metadata included."""
import json
import warnings
from typing import Optional, Tuple

import torch
from mmengine.config import Config
from torch import nn

from endommlab.errors import ConfigError
from endommlab.models.segmentors import DivergentNets
from .deploy_meta import deploy_meta
from .deploy_wrapper import DeployWrapper

#: Key of the JSON :func:`deploy_meta` in the ONNX file's ``metadata_props``.
META_KEY = 'endommlab'
INPUT_NAME, OUTPUT_NAME = 'input', 'output'


def export_onnx(model: nn.Module, cfg: Config, out_file: str,
                input_size: Optional[Tuple[int, int]] = None, dynamic_batch: bool = False,
                opset: int = 17) -> dict:
    """Write ``model`` (eval mode) as ONNX: :class:`DeployWrapper` traced at ``input_size``.

    The graph takes ``input`` ``(N, 3, H, W)`` normalised images (``N`` symbolic
    with ``dynamic_batch``, else 1) and returns ``output``; :func:`deploy_meta`
    (with ``config``, the config's file name) is stored as JSON under
    :data:`META_KEY`, so that the file alone is enough to run the model.
    Returns the metadata.

    Raises:
        ConfigError: the model cannot be exported (see :func:`deploy_meta`), an
            ensemble is asked for a dynamic batch, or ``onnx`` is not installed.
    """
    try:
        import onnx
    except ImportError:
        raise ConfigError('ONNX export needs the deploy extras: pip install '
                          '-r requirements/deploy.txt (or endommlab[deploy])') from None
    if dynamic_batch and isinstance(model, DivergentNets):
        raise ConfigError('DivergentNets exports with batch 1 only: its members normalise the '
                          'images of a batch one by one, which the trace fixes to its batch')
    meta = dict(deploy_meta(model, cfg, input_size), config=str(cfg.filename), opset=opset,
                dynamic_batch=dynamic_batch)
    h, w = meta['input_size']
    wrapper = DeployWrapper(model, meta['output']).eval()
    axes = {INPUT_NAME: {0: 'batch'}, OUTPUT_NAME: {0: 'batch'}} if dynamic_batch else None
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter('ignore')  # tracer warnings on shapes read as Python numbers
        torch.onnx.export(wrapper, (torch.zeros(1, 3, h, w), ), out_file, dynamo=False,
                          opset_version=opset, input_names=[INPUT_NAME],
                          output_names=[OUTPUT_NAME], dynamic_axes=axes,
                          do_constant_folding=True)
    proto = onnx.load(out_file)
    entry = proto.metadata_props.add()
    entry.key, entry.value = META_KEY, json.dumps(meta)
    onnx.save(proto, out_file)
    return meta
