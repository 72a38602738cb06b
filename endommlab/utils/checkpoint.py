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

from endommlab.errors import CheckpointError, CheckpointSafetyError

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
        CheckpointSafetyError: the file holds an object outside the allow-list (named).
        CheckpointError: the file is empty, truncated or not a PyTorch checkpoint.
    """
    name = name or repr(f)
    try:
        with torch.serialization.safe_globals(SAFE_GLOBALS):
            return torch.load(f, map_location=map_location, weights_only=True)
    except pickle.UnpicklingError as e:
        found = re.search(r'GLOBAL ([\w.]+)', str(e))
        if found is None:
            operand = re.search(r'Unsupported operand (\d+)', str(e))
            raise CheckpointError(
                f'checkpoint {name} is not a PyTorch checkpoint' +
                (f' (weights-only loading stops at pickle opcode {operand.group(1)})'
                 if operand else '')) from None
        raise CheckpointSafetyError(
            f'refusing to load checkpoint {name}: it holds `{found.group(1)}`, which '
            'weights_only loading does not allow (only tensors, Python values, '
            'numpy arrays and mmengine HistoryBuffers are accepted). Re-save the '
            'weights as a plain state_dict from a trusted environment.') from None
    except EOFError:
        raise CheckpointError(f'checkpoint {name} is empty or cut short: nothing to load '
                              '(was it written completely?)') from None
    except Exception as e:  # noqa: B902  torch's readers fail on damaged bytes in many ways
        reason = str(e).strip().split('. ')[0] if isinstance(e, (RuntimeError, OSError)) else ''
        raise CheckpointError(f'checkpoint {name} is truncated or not a PyTorch checkpoint'
                              + (f' ({reason})' if reason else '')) from None


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


def state_dict_of(checkpoint: dict) -> OrderedDict:
    """The weights of a checkpoint dict (its ``state_dict``, or the dict itself), without a
    DDP ``module.`` prefix."""
    state = checkpoint.get('state_dict', checkpoint)
    return OrderedDict((re.sub(r'^module\.', '', k), v) for k, v in state.items())


def checkpoint_mismatches(model: torch.nn.Module, checkpoint: dict, limit: int = 3) -> str:
    """What keeps ``checkpoint``'s weights from loading strictly into ``model`` ('' if nothing).

    Names the first ``limit`` missing keys, unexpected keys and shape mismatches, as
    ``load_state_dict(strict=True)`` would refuse them (a DDP ``module.`` prefix is ignored).
    """
    model = getattr(model, 'module', model)
    state = state_dict_of(checkpoint)
    own = model.state_dict()
    found = (
        ('missing', [k for k in own if k not in state]),
        ('unexpected', [k for k in state if k not in own]),
        ('shape mismatch', [f'{k} {tuple(state[k].shape)} in the checkpoint, {tuple(v.shape)} '
                            'in the model' for k, v in own.items()
                            if k in state and tuple(getattr(state[k], 'shape', ())) != tuple(
                                v.shape)]),
    )
    return '; '.join(f'{len(keys)} {what} (first: {", ".join(keys[:limit])})'
                     for what, keys in found if keys)


def load_fitting_checkpoint(model: torch.nn.Module, path: str, config: str) -> dict:
    """Read ``path`` weights-only and check it fits ``model``; the checkpoint dict (load its
    :func:`state_dict_of` with ``load_state_dict(strict=True)``: no need to read it again).

    Raises:
        CheckpointError: the file is missing, unreadable or unsafe, or its weights do not fit
            the model of ``config`` (the first mismatching keys are named).
    """
    if not osp.isfile(path):
        raise CheckpointError(f'checkpoint {path} does not exist')
    checkpoint = safe_torch_load(path, 'cpu', name=path)
    if not isinstance(checkpoint, dict):
        raise CheckpointError(f'checkpoint {path} holds a {type(checkpoint).__name__}, not a '
                              'state_dict')
    problems = checkpoint_mismatches(model, checkpoint)
    if problems:
        raise CheckpointError(f'checkpoint {path} does not fit config {config}: {problems}')
    return checkpoint
