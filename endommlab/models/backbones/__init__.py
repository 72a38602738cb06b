from .nanonet_mobilenet_v2 import NanoNetMobileNetV2

__all__ = ['NanoNetMobileNetV2']
