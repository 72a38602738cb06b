from .nanonet_mobilenet_v2 import NanoNetMobileNetV2
from .res2net_v1b import Res2NetV1b, convert_official_res2net_keys
from .seresnext_encoder import SEResNeXtEncoder

__all__ = [
    'NanoNetMobileNetV2',
    'Res2NetV1b',
    'convert_official_res2net_keys',
    'SEResNeXtEncoder',
]
