"""Mixed-precision training on the CPU: forward passes under ``torch.autocast('cpu')``."""
from contextlib import contextmanager
from typing import Iterator, Union

import torch
from mmengine.optim import OptimWrapper
from mmengine.registry import OPTIM_WRAPPERS
from torch import nn

from endommlab.errors import ConfigError


@OPTIM_WRAPPERS.register_module()
class CPUAutocastOptimWrapper(OptimWrapper):
    """Run each training forward pass under CPU autocast, in bfloat16 by default.

    mmengine's ``AmpOptimWrapper`` requires a GPU. On processors with native
    bfloat16 (AVX-512 BF16, AMX) oneDNN runs the autocast convolutions and
    matrix products in bfloat16, while parameters, gradients and the optimizer
    state stay float32; bfloat16 keeps float32's exponent range, so no loss
    scaling is needed. Only the training step is cast: validation and testing
    run the float32 model. On processors without bfloat16 units (AVX2 only) the
    casts make steps slower, not faster.

    Args:
        dtype (str): ``'bfloat16'`` or ``'float16'``.
        **kwargs: ``OptimWrapper``'s arguments (optimizer, clip_grad, ...).
    """

    valid_dtypes = ('bfloat16', 'float16')

    def __init__(self, dtype: Union[str, torch.dtype] = 'bfloat16', **kwargs) -> None:
        name = str(dtype).replace('torch.', '')
        if name not in self.valid_dtypes:
            raise ConfigError(f'CPUAutocastOptimWrapper: dtype must be one of '
                              f'{self.valid_dtypes}, got {dtype!r}')
        super().__init__(**kwargs)
        self.cast_dtype = getattr(torch, name)

    @contextmanager
    def optim_context(self, model: nn.Module) -> Iterator[None]:
        with super().optim_context(model), torch.autocast('cpu', dtype=self.cast_dtype):
            yield
