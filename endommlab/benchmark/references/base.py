"""Reference implementations timed beside an EndoMMLab model (never part of this package)."""
import ast
import os.path as osp
import sys
from abc import ABCMeta, abstractmethod
from typing import Callable, Dict, Tuple, Type

import torch
from mmengine.config import Config

from endommlab.errors import ConfigError

#: name -> reference class, filled by :func:`register_reference`
REFERENCES: Dict[str, Type['ReferenceModel']] = {}


def register_reference(name: str) -> Callable[[type], type]:
    def wrap(cls: type) -> type:
        REFERENCES[name] = cls
        cls.name = name
        return cls
    return wrap


def add_to_path(path: str, needs: str) -> None:
    """Put the folder of a downloaded reference (holding ``needs``) first on ``sys.path``."""
    if not path or not osp.exists(osp.join(path, needs)):
        raise ConfigError(f'--reference-path must be a folder holding {needs} (got {path!r}); '
                          'see tools/analysis_tools/benchmark.py --help')
    if path not in sys.path:
        sys.path.insert(0, path)


def _imports_torch(node: ast.stmt) -> bool:
    if isinstance(node, ast.Import):
        return all(alias.name.split('.')[0] == 'torch' for alias in node.names)
    return isinstance(node, ast.ImportFrom) and (node.module or '').split('.')[0] == 'torch'


def load_function(file: str, name: str) -> Callable:
    """Function ``name`` of a script that cannot be imported as a whole (it runs, or imports
    modules missing here): its definition is compiled alone, with the script's torch imports."""
    if not osp.isfile(file):
        raise ConfigError(f'reference file {file} does not exist')
    with open(file) as f:
        tree = ast.parse(f.read(), file)
    functions = [node for node in tree.body
                 if isinstance(node, ast.FunctionDef) and node.name == name]
    if not functions:
        raise ConfigError(f'{file} defines no function {name}')
    keep = [node for node in tree.body if _imports_torch(node)] + functions
    scope: dict = {}
    exec(compile(ast.Module(body=keep, type_ignores=[]), file, 'exec'), scope)
    return scope[name]


class ReferenceModel(metaclass=ABCMeta):
    """The reference's network, its forward pass and its own training step.

    Built for ``size`` (h, w) inputs. Both take the EndoMMLab model's normalised
    images ``(N, 3, H, W)``; the training step also the ``(N, 1, H, W)`` 0/1
    float masks, and returns the loss.
    """

    name = ''

    def __init__(self, cfg: Config, path: str, threads: int, size: Tuple[int, int]) -> None:
        self.cfg = cfg

    @property
    @abstractmethod
    def params(self) -> int:
        """Number of parameters of the reference network."""

    @abstractmethod
    def forward(self, images: torch.Tensor) -> object:
        """Evaluation-mode forward pass without gradients."""

    @abstractmethod
    def train_step(self, images: torch.Tensor, masks: torch.Tensor) -> float:
        """The reference's own training iteration; returns its loss."""

    @staticmethod
    def learning_rate(cfg: Config) -> float:
        return float(cfg.optim_wrapper.optimizer.lr)


class TorchReferenceModel(ReferenceModel):
    """A PyTorch reference: ``self.net`` and its optimizer ``self.optimizer``."""

    net: torch.nn.Module
    optimizer: torch.optim.Optimizer

    @property
    def params(self) -> int:
        return sum(p.numel() for p in self.net.parameters())

    def forward(self, images: torch.Tensor) -> object:
        self.net.eval()
        with torch.inference_mode():
            return self.net(images)

    def optimise(self, loss: torch.Tensor) -> float:
        """Backward and optimizer step on ``loss`` (gradients zeroed first); returns it."""
        self.optimizer.zero_grad()
        loss.backward()
        self.optimizer.step()
        return float(loss.detach())
