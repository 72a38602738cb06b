"""EndoMMLab: OpenMMLab components for gastrointestinal endoscopy.

Importing the package registers every component into the registry of the
library it extends (MMDetection, MMSegmentation, MMPretrain, and mmengine's
root registries for what all of them share), and makes checkpoint loading
keep ``weights_only=True`` (see :mod:`endommlab.utils.checkpoint`).
"""
import os

os.environ.setdefault('NO_ALBUMENTATIONS_UPDATE', '1')

from . import apis, datasets, engine, evaluation, models, utils, visualization  # noqa: E402,F401
from .version import __version__  # noqa: E402,F401
