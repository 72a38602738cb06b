"""Per-batch multi-scale training of PraNet / Yu et al. (rates 0.75, 1, 1.25)."""
import math
import random
from typing import List, Sequence, Tuple

import torch.nn.functional as F
from mmengine.structures import PixelData
from mmseg.registry import MODELS
from mmseg.utils import SampleList
from torch import Tensor, nn

from endommlab.errors import ConfigError


@MODELS.register_module()
class MultiScaleBatchResize(nn.Module):
    """Resize a whole training batch by a rate drawn from ``scale_rates``.

    PraNet (``MyTrain.py``) and Yu et al. train at ``round(size·rate / 32)·32``
    for rate in {0.75, 1, 1.25}: 384, 512, 640 around 512×512. Each batch gets
    one rate, drawn uniformly (Python's ``random``, seeded by mmengine's
    ``randomness``). Images are resized bilinearly with corners aligned, as
    PraNet does; the ground-truth label maps with nearest neighbour, so they
    stay class indices (PraNet resizes its 0-255 masks bilinearly, i.e. to
    soft labels). Halves round up. A batch augment of
    :class:`BatchAugSegDataPreProcessor`.
    """

    def __init__(self, scale_rates: Sequence[float] = (0.75, 1.0, 1.25),
                 size_divisor: int = 32, align_corners: bool = True) -> None:
        super().__init__()
        if not scale_rates or any(r <= 0 for r in scale_rates):
            raise ConfigError(f'scale_rates must be positive numbers, got {scale_rates}')
        if size_divisor < 1:
            raise ConfigError(f'size_divisor must be at least 1, got {size_divisor}')
        self.scale_rates = tuple(scale_rates)
        self.size_divisor = size_divisor
        self.align_corners = align_corners

    def target_size(self, size: Tuple[int, int], rate: float) -> Tuple[int, int]:
        """``(h, w)`` scaled by ``rate`` and rounded (half up) to a multiple of the divisor."""
        d = self.size_divisor
        return tuple(max(d, int(math.floor(s * rate / d + 0.5)) * d) for s in size)

    def forward(self, inputs: Tensor, data_samples: SampleList) -> Tuple[Tensor, List]:
        size = self.target_size(tuple(inputs.shape[-2:]), random.choice(self.scale_rates))
        if size == tuple(inputs.shape[-2:]):
            return inputs, data_samples
        inputs = F.interpolate(inputs, size=size, mode='bilinear', align_corners=self.align_corners)
        for sample in data_samples:
            label = sample.gt_sem_seg.data
            resized = F.interpolate(label[None].float(), size=size, mode='nearest')[0]
            sample.gt_sem_seg = PixelData(data=resized.to(label.dtype))
            sample.set_metainfo(dict(img_shape=size, pad_shape=size, batch_input_shape=size))
        return inputs, data_samples
