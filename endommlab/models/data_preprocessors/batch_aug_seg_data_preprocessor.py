"""MMSegmentation's data preprocessor with working batch augmentations."""
from typing import Any, Dict, List, Optional

from mmseg.models.data_preprocessor import SegDataPreProcessor
from mmseg.registry import MODELS
from torch import nn


@MODELS.register_module()
class BatchAugSegDataPreProcessor(SegDataPreProcessor):
    """``SegDataPreProcessor`` whose ``batch_augments`` are built and applied.

    MMSegmentation 1.2.2 accepts ``batch_augments`` but keeps the list of
    configs and calls it (a "TODO" in its code), which fails. Here each entry
    is built from the ``MODELS`` registry into ``augments`` (as MMDetection's
    ``DetDataPreprocessor`` does) and applied, in order, to the stacked
    training batch ``(inputs, data_samples)`` after normalisation and padding.
    Validation and test batches are not augmented.
    """

    def __init__(self, *args, batch_augments: Optional[List[dict]] = None, **kwargs) -> None:
        super().__init__(*args, batch_augments=None, **kwargs)
        self.augments = nn.ModuleList([MODELS.build(aug) for aug in batch_augments or []])

    def forward(self, data: dict, training: bool = False) -> Dict[str, Any]:
        data = super().forward(data, training)
        if training:
            inputs, data_samples = data['inputs'], data['data_samples']
            for aug in self.augments:
                inputs, data_samples = aug(inputs, data_samples)
            data = dict(inputs=inputs, data_samples=data_samples)
        return data
