"""Checkpoint loading with ``torch.load(weights_only=True)`` kept on.

torch >= 2.6 refuses to unpickle anything but tensors and plain Python
containers. mmengine 0.10.7 writes its training state (``message_hub``) as
``HistoryBuffer`` objects holding numpy arrays, so a plain mmengine checkpoint
cannot be resumed. EndoMMLab therefore

* writes checkpoints that need no global at all (:class:`SafeCheckpointHook`
  encodes numpy arrays, numpy scalars and history buffers as tensors and
  Python values, and decodes them on load), and
* replaces mmengine's loaders for local files and URLs by one that calls
  ``torch.load(..., weights_only=True)`` with a narrow allow-list (the numpy
  array/dtype reconstructors and ``HistoryBuffer``, never ``builtins.getattr``)
  so that checkpoints written by plain mmengine still load, and turns a refusal
  into a :class:`~endommlab.errors.CheckpointSafetyError` that says what the
  file holds.

Official OpenMMLab checkpoints (``state_dict`` + ``meta`` of plain values) load
unchanged as ``load_from`` or ``init_cfg=dict(type='Pretrained', ...)``.
"""
import os
import os.path as osp
import pickle
import re
from collections import OrderedDict
from typing import Any, Callable, List, Optional, Union
from urllib.parse import urlparse

import numpy as np
import torch
from mmengine.logging import HistoryBuffer
from mmengine.runner.checkpoint import CheckpointLoader

from endommlab.errors import CheckpointSafetyError

_TAG = '__endommlab_safe__'
MapLocation = Optional[Union[str, Callable, torch.device]]


def _numpy_globals() -> List[Any]:
    """Reconstructors numpy arrays and scalars pickle through (numpy 1.x and 2.x)."""
    allowed: List[Any] = [np.ndarray, np.dtype]
    for mod_name in ('numpy._core.multiarray', 'numpy.core.multiarray'):
        try:
            mod = __import__(mod_name, fromlist=['_reconstruct', 'scalar'])
        except ImportError:
            continue
        allowed += [mod._reconstruct, mod.scalar]
        break
    allowed += [getattr(np.dtypes, name) for name in dir(np.dtypes) if name.endswith('DType')]
    return allowed


#: Globals a checkpoint may name besides tensors and Python containers.
SAFE_GLOBALS: List[Any] = [HistoryBuffer] + _numpy_globals()


def encode_safe(obj: Any) -> Any:
    """Rewrite ``obj`` so that it pickles without any global but torch's own."""
    if isinstance(obj, HistoryBuffer):
        return {_TAG: 'HistoryBuffer',
                'log_history': torch.from_numpy(np.array(obj._log_history)),
                'count_history': torch.from_numpy(np.array(obj._count_history)),
                'max_length': int(obj.max_length)}
    if isinstance(obj, np.ndarray):
        if obj.dtype == object:
            return {_TAG: 'object_array', 'items': [encode_safe(v) for v in obj.tolist()]}
        return {_TAG: 'ndarray', 'data': torch.from_numpy(np.array(obj))}
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, OrderedDict):
        return OrderedDict((k, encode_safe(v)) for k, v in obj.items())
    if isinstance(obj, dict):
        return {k: encode_safe(v) for k, v in obj.items()}
    if type(obj) in (list, tuple):
        return type(obj)(encode_safe(v) for v in obj)
    return obj


def decode_safe(obj: Any) -> Any:
    """Inverse of :func:`encode_safe`, from tensors on any device (a resume on a GPU maps the
    checkpoint there)."""
    if isinstance(obj, dict):
        tag = obj.get(_TAG)
        if tag == 'HistoryBuffer':
            buf = HistoryBuffer(max_length=obj['max_length'])
            buf._log_history = obj['log_history'].cpu().numpy()
            buf._count_history = obj['count_history'].cpu().numpy()
            return buf
        if tag == 'ndarray':
            return obj['data'].cpu().numpy()
        if tag == 'object_array':
            return np.array([decode_safe(v) for v in obj['items']], dtype=object)
        for k, v in obj.items():
            obj[k] = decode_safe(v)
        return obj
    if isinstance(obj, list):
        return [decode_safe(v) for v in obj]
    if isinstance(obj, tuple) and type(obj) is tuple:
        return tuple(decode_safe(v) for v in obj)
    return obj


def safe_torch_load(f: Any, map_location: MapLocation = None, name: Optional[str] = None) -> Any:
    """``torch.load(f, weights_only=True)`` with :data:`SAFE_GLOBALS` allowed.

    Raises:
        CheckpointSafetyError: the file holds an object outside the allow-list.
    """
    try:
        with torch.serialization.safe_globals(SAFE_GLOBALS):
            return torch.load(f, map_location=map_location, weights_only=True)
    except pickle.UnpicklingError as e:
        found = re.search(r'Unsupported global: GLOBAL ([\w.]+)', str(e))
        what = found.group(1) if found else str(e).splitlines()[0]
        raise CheckpointSafetyError(
            f'refusing to load checkpoint {name or repr(f)}: it holds `{what}`, which '
            'weights_only loading does not allow (only tensors, Python values, '
            'numpy arrays and mmengine HistoryBuffers are accepted). Re-save the '
            'weights as a plain state_dict from a trusted environment.') from None


@CheckpointLoader.register_scheme(prefixes='', force=True)
def load_from_local(filename: str, map_location: MapLocation = None) -> Any:
    """mmengine's local-file loader, with weights-only unpickling kept on."""
    filename = osp.expanduser(filename)
    if not osp.isfile(filename):
        raise FileNotFoundError(f'checkpoint {filename} does not exist')
    return safe_torch_load(filename, map_location, name=filename)


@CheckpointLoader.register_scheme(prefixes=('http://', 'https://'), force=True)
def load_from_http(filename: str, map_location: MapLocation = None,
                   model_dir: Optional[str] = None, progress: bool = True) -> Any:
    """Download once into the torch hub cache, then load it weights-only."""
    model_dir = model_dir or osp.join(torch.hub.get_dir(), 'checkpoints')
    cached = osp.join(model_dir, osp.basename(urlparse(filename).path))
    if not osp.isfile(cached):
        os.makedirs(model_dir, exist_ok=True)
        torch.hub.download_url_to_file(filename, cached, progress=progress)
    return safe_torch_load(cached, map_location, name=f'{filename} (cached at {cached})')
