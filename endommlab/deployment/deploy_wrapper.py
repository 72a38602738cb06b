"""The network of a model as one traceable module: normalised images → probabilities."""
import warnings

import torch
from torch import Tensor, nn

from endommlab.models.segmentors import DivergentNets, polyp_logit
from .deploy_meta import CLASS_PROBABILITIES


class DeployWrapper(nn.Module):
    """``(N, 3, H, W)`` normalised images → what :func:`deploy_meta`'s ``output`` names.

    Segmentors: polyp logits ``(N, M, H, W)`` at the input size
    (:func:`~endommlab.models.segmentors.polyp_logit` of the model's
    ``encode_decode``, mmseg's whole-image inference before the resize to the
    original size; ``M = 1``), or of each member of an ensemble (``M``
    members, each normalising its input itself), so that the post-processing can
    resize logits and average member probabilities at the original size as the
    PyTorch model does. Classifiers: the softmax of the (raw) head's logits
    ``(N, C)``.
    """

    def __init__(self, model: nn.Module, output: str) -> None:
        super().__init__()
        self.model = model
        self.output = output

    def forward(self, inputs: Tensor) -> Tensor:
        if self.output == CLASS_PROBABILITIES:
            return self.model(inputs, mode='tensor').softmax(dim=1)
        index = getattr(self.model, 'polyp_index', 1)
        if isinstance(self.model, DivergentNets):
            return torch.stack([polyp_logit(logits, index)
                                for logits in self.model.member_logits(inputs)], dim=1)
        shape = tuple(inputs.shape[2:])
        metas = [dict(img_shape=shape, pad_shape=shape, ori_shape=shape)]
        return polyp_logit(self.model.encode_decode(inputs, metas), index)[:, None]


def trace_torchscript(wrapper: DeployWrapper, example: Tensor) -> torch.jit.ScriptModule:
    """Frozen, inference-optimised TorchScript trace of ``wrapper``.

    ``optimize_for_inference`` fails inside torch 2.14 on some graphs (an internal
    assert, "expected double", on mmpretrain's MobileNetV3); those keep the
    frozen trace.
    """
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter('ignore')  # tracer warnings on shapes read as Python numbers
        traced = torch.jit.trace(wrapper.eval(), example, check_trace=False)
        try:
            return torch.jit.optimize_for_inference(torch.jit.freeze(traced))
        except RuntimeError:
            return torch.jit.freeze(traced)  # freeze copies: ``traced`` is untouched
