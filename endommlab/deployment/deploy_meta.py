"""What a deployed model needs besides its network: pre- and post-processing settings."""
from typing import Optional, Sequence, Tuple

from mmengine.config import Config
from torch import nn

from endommlab.datasets.transforms import uncached_steps
from endommlab.errors import ConfigError
from endommlab.models.segmentors import DivergentNets

#: Output kinds of an exported network.
POLYP_LOGITS = 'polyp_logits'  # (N, M, H, W) polyp logits of M members (1 unless an ensemble)
CLASS_PROBABILITIES = 'class_probabilities'  # (N, C) softmax of the (raw) classifier head


def architecture(cfg: Config) -> str:
    """``<model type>/<head type>`` of a config: what a deployed file is checked against."""
    model = cfg.model
    inner = model.get('segmentor', model)
    head = inner.get('decode_head', inner.get('head', {}))
    return f"{model.type}/{head.get('type', '-') if isinstance(head, dict) else '-'}"


def test_input_size(cfg: Config) -> Tuple[int, int]:
    """``(h, w)`` of the fixed-size ``Resize`` of the config's test pipeline.

    Raises:
        ConfigError: the test pipeline has no fixed-size resize.
    """
    for step in uncached_steps(cfg.test_dataloader.dataset.pipeline):
        if step['type'].split('.')[-1] == 'Resize' and not step.get('keep_ratio', False):
            w, h = step['scale'] if isinstance(step['scale'], Sequence) else (step['scale'],) * 2
            return int(h), int(w)
    raise ConfigError('the test pipeline has no fixed-size Resize (keep_ratio=False): pass '
                      'the input size explicitly')


def _polyp_threshold(model: nn.Module) -> Tuple[float, bool, float]:
    """``(threshold, inclusive, reference_area)`` that turn the probability into the mask."""
    if hasattr(model, 'reference_fraction'):  # ThresholdPostProcessSegmentor
        return model.threshold, False, model.reference_fraction
    if isinstance(model, DivergentNets):  # mean >= threshold
        return model.threshold, True, 0.0
    if model.decode_head.out_channels == 1:
        return float(model.decode_head.threshold), False, 0.0
    return 0.5, False, 0.0  # two-channel argmax: polyp when its softmax exceeds 1/2


def deploy_meta(model: nn.Module, cfg: Config,
                input_size: Optional[Tuple[int, int]] = None) -> dict:
    """Settings a deployed network is run with (stored in an exported file's metadata).

    ``input_size`` (h, w; default :func:`test_input_size`), the data
    preprocessor's ``mean``, ``std`` and ``bgr_to_rgb``, the ``output`` kind,
    and for segmentors ``members`` (logit maps per image: an ensemble's members,
    else 1), ``threshold`` (``inclusive``: ``>=``) and ``reference_area``
    (threshold post-processing; 0 when none), for classifiers ``classes``.

    Raises:
        ConfigError: the model is an instance segmentor (not exportable), or the
            input size is not a multiple of the preprocessor's size divisor.
    """
    scope = cfg.get('default_scope', 'mmseg')
    if scope == 'mmdet':
        raise ConfigError('Cascade Mask R-CNN (mmdet, with mmcv RoIAlign/NMS ops) cannot be '
                          'exported with torch.onnx; run it with the pytorch backend')
    size = tuple(int(v) for v in (input_size or test_input_size(cfg)))
    pre = model.data_preprocessor
    divisor = getattr(pre, 'size_divisor', None) or getattr(pre, 'pad_size_divisor', 1) or 1
    if size[0] % divisor or size[1] % divisor:
        raise ConfigError(f'input size {size} must be a multiple of the data preprocessor\'s '
                          f'size divisor {divisor}')
    normalise = getattr(pre, '_enable_normalize', False)
    meta = dict(
        architecture=architecture(cfg), input_size=list(size),
        mean=pre.mean.flatten().tolist() if normalise else [0.0, 0.0, 0.0],
        std=pre.std.flatten().tolist() if normalise else [1.0, 1.0, 1.0],
        bgr_to_rgb=bool(getattr(pre, 'channel_conversion', getattr(pre, 'to_rgb', False))))
    if scope == 'mmpretrain':
        meta.update(output=CLASS_PROBABILITIES,
                    classes=list(getattr(model, 'dataset_meta', {}).get('classes', [])))
    else:
        threshold, inclusive, reference = _polyp_threshold(model)
        meta.update(output=POLYP_LOGITS, members=len(getattr(model, 'members', [model])),
                    threshold=float(threshold), inclusive=inclusive,
                    reference_area=float(reference))
    return meta
