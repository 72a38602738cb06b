"""What inference takes in and gives back, shared by the PyTorch path (``apis``) and the
deployed backends (``deployment``): decoded frames of images, folders, arrays and videos, and
the per-image :class:`InferenceResult`."""
from .inference_inputs import (IMAGE_EXTENSIONS, VIDEO_EXTENSIONS, Frame, InferenceInput, InputType,
                               is_video, load_image, read_image)
from .inference_result import InferenceResult, polyp_region_score

__all__ = [
    'IMAGE_EXTENSIONS', 'VIDEO_EXTENSIONS', 'Frame', 'InferenceInput', 'InputType', 'is_video',
    'load_image', 'read_image', 'InferenceResult', 'polyp_region_score'
]
