"""Polyp probability and polyp logit of a binary segmentor's class maps."""
from torch import Tensor, nn

from endommlab.errors import ConfigError


def _check_binary(channels: int) -> None:
    if channels not in (1, 2):
        raise ConfigError('a polyp probability needs a binary segmentor (1 or 2 output '
                          f'channels), got {channels} channels')


def polyp_logit(segmentor: nn.Module, logits: Tensor, dim: int = 1) -> Tensor:
    """The logit of the polyp probability from class logits along ``dim``.

    One channel: that channel. Two channels: ``l_polyp - l_background``, whose
    sigmoid is the softmax of the polyp channel (``polyp_index`` of the
    segmentor, default 1), and which, unlike a probability, is resized linearly.
    """
    _check_binary(logits.shape[dim])
    if logits.shape[dim] == 1:
        return logits.select(dim, 0)
    index = getattr(segmentor, 'polyp_index', 1)
    return logits.select(dim, index) - logits.select(dim, 1 - index)


def polyp_probability(segmentor: nn.Module, maps: Tensor, dim: int = 1,
                      sigmoid_applied: bool = False) -> Tensor:
    """The polyp probability of ``maps`` (class maps along ``dim``) of ``segmentor``.

    One channel: its sigmoid (``sigmoid_applied``: mmseg's ``postprocess_result``
    has already applied it, as in a predicted ``seg_logits``). Two channels: the
    softmax of the segmentor's ``polyp_index`` (default 1), unless the segmentor
    declares ``probability_maps = True`` (its maps are ``[1 - p, p]`` already,
    as :class:`DivergentNets`'). A wrapping segmentor
    (:class:`ThresholdPostProcessSegmentor`) is read through its ``segmentor``.
    """
    inner = getattr(segmentor, 'segmentor', segmentor)
    channels = maps.shape[dim]
    if channels == 1:
        return maps.select(dim, 0) if sigmoid_applied else maps.select(dim, 0).sigmoid()
    _check_binary(channels)
    if getattr(inner, 'probability_maps', False):
        return maps.select(dim, 1)
    return maps.softmax(dim=dim).select(dim, getattr(segmentor, 'polyp_index', 1))
