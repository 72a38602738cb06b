"""Decode-head base whose class map comes out at the input resolution, as in SMP models."""
import torch.nn as nn
import torch.nn.functional as F
from mmseg.models.decode_heads.decode_head import BaseDecodeHead
from torch import Tensor


class InputResolutionHead(BaseDecodeHead):
    """:class:`BaseDecodeHead` with Segmentation Models PyTorch's segmentation head.

    The class map is ``conv_seg`` (a ``seg_kernel_size`` x ``seg_kernel_size``
    convolution: 3 for UNet/UNet++, 1 for FPN and DeepLab in SMP) followed by a
    bilinear up-sampling by ``upsample_factor`` (``align_corners=True``, as
    SMP's ``UpsamplingBilinear2d``), so that the logits have the resolution of
    the input image: the decoder's output stride.
    """

    def __init__(self, seg_kernel_size: int = 1, upsample_factor: int = 1, **kwargs) -> None:
        super().__init__(**kwargs)
        self.upsample_factor = upsample_factor
        if seg_kernel_size != 1:
            self.conv_seg = nn.Conv2d(self.channels, self.out_channels, seg_kernel_size,
                                      padding=seg_kernel_size // 2)

    def cls_seg(self, feat: Tensor) -> Tensor:
        """Dropout, class convolution, up-sampling to the input resolution."""
        out = super().cls_seg(feat)
        if self.upsample_factor != 1:
            out = F.interpolate(out, scale_factor=self.upsample_factor, mode='bilinear',
                                align_corners=True)
        return out
