from .checkpoint import SAFE_GLOBALS, decode_safe, encode_safe, safe_torch_load
from .param_count import keras_param_count

__all__ = ['SAFE_GLOBALS', 'decode_safe', 'encode_safe', 'safe_torch_load', 'keras_param_count']
