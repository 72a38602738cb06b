"""Polyp logit and polyp probability of a binary segmentor's class maps."""
from torch import Tensor

from endommlab.errors import ConfigError


def _check_binary(channels: int) -> None:
    if channels not in (1, 2):
        raise ConfigError('a polyp probability needs a binary segmentor (1 or 2 output '
                          f'channels), got {channels} channels')


def polyp_logit(logits: Tensor, polyp_index: int = 1, dim: int = 1) -> Tensor:
    """The logit of the polyp probability from class logits along ``dim``.

    One channel: that channel. Two channels: ``l_polyp - l_background``, whose
    sigmoid is the softmax of channel ``polyp_index``, and which, unlike a
    probability, is resized linearly.
    """
    _check_binary(logits.shape[dim])
    if logits.shape[dim] == 1:
        return logits.select(dim, 0)
    return logits.select(dim, polyp_index) - logits.select(dim, 1 - polyp_index)


def polyp_probability(seg_logits: Tensor, polyp_index: int = 1) -> Tensor:
    """Polyp probability ``(H, W)`` of mmseg's predicted ``seg_logits`` ``(C, H, W)``.

    mmseg's ``postprocess_result`` keeps the sigmoid probability of a
    one-channel head (that channel is returned as it is; so is
    :class:`DivergentNets`' one-channel mean probability) and the logits of a
    two-channel one (the softmax of channel ``polyp_index``, the sigmoid of
    :func:`polyp_logit`).
    """
    if seg_logits.shape[0] == 1:
        return seg_logits[0]
    return polyp_logit(seg_logits, polyp_index, dim=0).sigmoid()
