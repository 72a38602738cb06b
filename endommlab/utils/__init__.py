from .checkpoint import SAFE_GLOBALS, decode_safe, encode_safe, safe_torch_load

__all__ = ['SAFE_GLOBALS', 'decode_safe', 'encode_safe', 'safe_torch_load']
