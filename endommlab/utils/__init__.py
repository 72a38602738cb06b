from .checkpoint import SAFE_GLOBALS, decode_safe, encode_safe, safe_torch_load
from .param_count import keras_param_count
from .training_curves import plot_training_curves, read_scalars

__all__ = ['SAFE_GLOBALS', 'decode_safe', 'encode_safe', 'safe_torch_load', 'keras_param_count',
           'plot_training_curves', 'read_scalars']
