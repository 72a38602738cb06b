"""Threshold post-processing of Yu, Yan, Li (EndoCV2021), §2.3, after any binary segmentor."""
from typing import Dict, Tuple

import torch
from mmengine.structures import PixelData
from mmseg.models.segmentors.base import BaseSegmentor
from mmseg.registry import MODELS
from mmseg.structures import SegDataSample
from mmseg.utils import ConfigType, OptConfigType, OptMultiConfig, OptSampleList, SampleList
from torch import Tensor, nn

from endommlab.errors import ConfigError
from .polyp_probability import polyp_probability

AREA_UNITS = ('fraction', 'pixels')


def threshold_post_process(prob: Tensor, reference_area: float,
                           threshold: float = 0.5) -> Tuple[Tensor, bool, float]:
    """Empty a small prediction ("pending case"), else polarise it.

    Args:
        prob: polyp probability map ``(H, W)`` in [0, 1].
        reference_area: the smallest polyp area of the training masks, as a
            fraction of the image.
        threshold: probability above which a pixel is polyp.

    Returns:
        ``(mask, emptied, area)``: the 0/1 mask (``H, W``, long), whether the
        image was a pending case and emptied, and the predicted polyp area
        (fraction of the image) that was compared with ``reference_area``.
    """
    mask = (prob > threshold).long()
    area = float(mask.float().mean()) if mask.numel() else 0.0
    emptied = area < reference_area
    if emptied:
        mask = torch.zeros_like(mask)
    return mask, emptied, area


@MODELS.register_module()
class ThresholdPostProcessSegmentor(BaseSegmentor):
    """Wraps a binary segmentor; at inference applies Yu et al.'s threshold post-processing.

    If the predicted polyp area of an image is below the reference area (the
    smallest polyp in the training masks, ``tools/analysis_tools/
    polyp_reference_area.py``), the image is a "pending" case and its whole
    mask becomes background; otherwise the polyp probability is polarised at
    ``threshold``. Works for 1-channel (sigmoid) and 2-channel (softmax)
    segmentors; training is the wrapped segmentor's, and so is the data
    preprocessor (``data_preprocessor``, if given, is the wrapped segmentor's
    default, as the runner's top-level ``data_preprocessor`` is for any model).

    ``test_cfg``:

    - ``reference_area``: in ``area_unit`` units;
    - ``area_unit``: ``'fraction'`` of the image (default), or ``'pixels'``
      at ``area_resolution=(h, w)`` (the area is compared as the fraction
      ``reference_area / (h·w)``; predictions are scored at the original size);
    - ``threshold``: polarisation threshold (default 0.5);
    - ``polyp_index``: the polyp class of a 2-channel segmentor (default 1).

    Every predicted sample keeps the wrapped prediction as ``raw_sem_seg`` and
    carries ``pending_case`` (emptied or not) and ``polyp_area`` in its
    metainfo; :class:`~endommlab.evaluation.metrics.RawPolypSegMetric` scores
    the raw predictions and reports how many images were emptied.

    Checkpoints are interchangeable with the wrapped model's: the ``segmentor.``
    prefix is dropped when saving and added when loading, so a model trained
    with the plain config is tested with post-processing and vice versa.
    """

    def __init__(self, segmentor: ConfigType, test_cfg: ConfigType,
                 data_preprocessor: OptConfigType = None, init_cfg: OptMultiConfig = None) -> None:
        super().__init__(init_cfg=init_cfg)
        if data_preprocessor is not None:
            segmentor = dict(segmentor)
            segmentor.setdefault('data_preprocessor', data_preprocessor)
        self.segmentor = MODELS.build(segmentor)
        self.data_preprocessor = self.segmentor.data_preprocessor
        self.test_cfg = test_cfg
        self.reference_fraction = self._reference_fraction(test_cfg)
        self.threshold = float(test_cfg.get('threshold', 0.5))
        self.polyp_index = int(test_cfg.get('polyp_index', 1))
        if not 0 < self.threshold < 1:
            raise ConfigError(f'test_cfg.threshold must lie in (0, 1), got {self.threshold}')
        self.register_state_dict_post_hook(self._drop_prefix)
        self.register_load_state_dict_pre_hook(self._add_prefix)

    @staticmethod
    def _reference_fraction(test_cfg: ConfigType) -> float:
        if 'reference_area' not in test_cfg:
            raise ConfigError('ThresholdPostProcessSegmentor needs test_cfg.reference_area '
                              '(tools/analysis_tools/polyp_reference_area.py computes it)')
        area, unit = float(test_cfg['reference_area']), test_cfg.get('area_unit', 'fraction')
        if unit not in AREA_UNITS:
            raise ConfigError(f'test_cfg.area_unit must be one of {AREA_UNITS}, got {unit!r}')
        if unit == 'pixels':
            resolution = test_cfg.get('area_resolution')
            if resolution is None or len(resolution) != 2:
                raise ConfigError("test_cfg.area_unit='pixels' needs area_resolution=(h, w), the "
                                  'resolution at which the reference area was measured')
            area = area / (resolution[0] * resolution[1])
        if not 0 <= area < 1:
            raise ConfigError(f'test_cfg.reference_area is {area:.4g} of the image; it must lie '
                              'in [0, 1)')
        return area

    @staticmethod
    def _drop_prefix(module: nn.Module, state_dict: Dict, prefix: str, local_metadata) -> None:
        inner = prefix + 'segmentor.'
        for key in [k for k in state_dict if k.startswith(inner)]:
            state_dict[prefix + key[len(inner):]] = state_dict.pop(key)
        metadata = getattr(state_dict, '_metadata', None)
        if metadata is not None:
            for key in [k for k in metadata if k.startswith(inner)]:
                metadata[prefix + key[len(inner):]] = metadata.pop(key)

    @staticmethod
    def _add_prefix(module: nn.Module, state_dict: Dict, prefix: str, *args) -> None:
        inner = prefix + 'segmentor.'
        for key in [k for k in state_dict if k.startswith(prefix) and not k.startswith(inner)]:
            state_dict[inner + key[len(prefix):]] = state_dict.pop(key)

    def extract_feat(self, inputs: Tensor):
        return self.segmentor.extract_feat(inputs)

    def encode_decode(self, inputs: Tensor, batch_data_samples: SampleList) -> Tensor:
        return self.segmentor.encode_decode(inputs, batch_data_samples)

    def loss(self, inputs: Tensor, data_samples: SampleList) -> dict:
        return self.segmentor.loss(inputs, data_samples)

    def _forward(self, inputs: Tensor, data_samples: OptSampleList = None):
        return self.segmentor._forward(inputs, data_samples)

    def predict(self, inputs: Tensor, data_samples: OptSampleList = None) -> SampleList:
        """The wrapped segmentor's predictions, post-processed image by image."""
        results = self.segmentor.predict(inputs, data_samples)
        for sample in results:
            self.post_process(sample)
        return results

    def post_process(self, sample: SegDataSample) -> SegDataSample:
        """Apply :func:`threshold_post_process` to one predicted sample in place."""
        prob = polyp_probability(sample.seg_logits.data, self.polyp_index)
        mask, emptied, area = threshold_post_process(prob, self.reference_fraction, self.threshold)
        raw = sample.pred_sem_seg.data
        sample.raw_sem_seg = PixelData(data=raw)
        sample.pred_sem_seg = PixelData(data=(mask * self.polyp_index).to(raw.dtype)[None])
        sample.set_metainfo(dict(pending_case=emptied, polyp_area=area))
        return sample
