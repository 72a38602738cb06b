"""A model run as a frozen TorchScript trace with numpy pre/post-processing."""
import numpy as np
import torch
from mmengine.config import Config
from torch import nn

from .deploy_meta import deploy_meta
from .deploy_model import DeployModel
from .deploy_wrapper import DeployWrapper, trace_torchscript


class TorchScriptModel(DeployModel):
    """:class:`DeployModel` whose network is :func:`trace_torchscript` of the PyTorch model."""

    def __init__(self, model: nn.Module, cfg: Config, input_size=None) -> None:
        super().__init__(deploy_meta(model, cfg, input_size))
        h, w = self.input_size
        self.module = trace_torchscript(DeployWrapper(model, self.meta['output']),
                                        torch.zeros(1, 3, h, w))

    def forward(self, inputs: np.ndarray) -> np.ndarray:
        with torch.inference_mode():
            return self.module(torch.from_numpy(inputs)).numpy()
