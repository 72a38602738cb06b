from .res2net_v1b import Res2NetV1b, convert_official_res2net_keys

__all__ = ['Res2NetV1b', 'convert_official_res2net_keys']
