"""Model-zoo names: a metafile model's ``Name`` or ``Alias`` resolved to config and weights.

As ``MMSegInferencer(model=...)`` resolves metafile names, the tools accept a zoo name where
they accept a config. Weights ship inside the repository (``model_zoo/``, a few MB each), so a
name works with no network; ``Weights`` in a metafile is a path relative to the repository
root (``endommlab/.mim`` in an installed package).
"""
import os.path as osp
from dataclasses import dataclass
from typing import List, Optional, Tuple

import yaml

from endommlab.errors import ConfigError

MODEL_INDEX = 'model-index.yml'


@dataclass(frozen=True)
class ZooModel:
    """One ``Models`` entry of a metafile, its paths made absolute."""

    name: str
    aliases: Tuple[str, ...]
    config: str
    weights: Optional[str]
    results: Tuple[dict, ...]


def zoo_root() -> str:
    """The folder that holds ``model-index.yml``: the checkout, or ``endommlab/.mim``."""
    package = osp.dirname(osp.dirname(osp.abspath(__file__)))
    for root in (osp.dirname(package), osp.join(package, '.mim')):
        if osp.isfile(osp.join(root, MODEL_INDEX)):
            return root
    raise ConfigError(f'{MODEL_INDEX} not found beside the endommlab package (reinstall it)')


def list_models() -> List[ZooModel]:
    """Every model of every metafile that ``model-index.yml`` imports."""
    root = zoo_root()
    with open(osp.join(root, MODEL_INDEX)) as f:
        metafiles = yaml.safe_load(f)['Import']
    models = []
    for metafile in metafiles:
        with open(osp.join(root, metafile)) as f:
            entries = yaml.safe_load(f).get('Models', [])
        for m in entries:
            aliases = m.get('Alias', [])
            models.append(ZooModel(
                name=m['Name'],
                aliases=tuple([aliases] if isinstance(aliases, str) else aliases),
                config=osp.join(root, m['Config']),
                weights=osp.join(root, m['Weights']) if m.get('Weights') else None,
                results=tuple(m.get('Results') or ())))
    return models


def find_model(name: str) -> Optional[ZooModel]:
    """The model called ``name`` (its ``Name`` or an ``Alias``, any case), or None."""
    key = name.lower()
    for model in list_models():
        if key == model.name.lower() or key in (a.lower() for a in model.aliases):
            return model
    return None


def resolve_model(model: str, checkpoint: Optional[str] = None) -> Tuple[str, Optional[str]]:
    """``(config file, checkpoint)`` of a config path or a zoo name.

    A config file is returned with ``checkpoint`` unchanged. A zoo name gives its config and,
    unless ``checkpoint`` is given, the weights shipped with it; a name whose weights are not
    distributed needs ``checkpoint``.
    """
    if osp.isfile(model) or model.endswith('.py'):
        return model, checkpoint
    entry = find_model(model)
    if entry is None:
        shipped = sorted(a for m in list_models() if m.weights for a in (m.aliases or (m.name, )))
        raise ConfigError(f'{model} is neither a config file nor a model-zoo name (models with '
                          f'weights: {", ".join(shipped) or "none"}; `mim search endommlab` '
                          'lists them all)')
    if checkpoint is None:
        if entry.weights is None:
            raise ConfigError(f'{model}: weights are not distributed; train it with '
                              f'tools/train.py {osp.relpath(entry.config, zoo_root())} and pass '
                              'the checkpoint')
        if not osp.isfile(entry.weights):
            raise ConfigError(f'{model}: its weights {entry.weights} are missing from this '
                              'installation')
        checkpoint = entry.weights
    return entry.config, checkpoint
