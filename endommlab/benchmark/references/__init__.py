"""Reference implementations for ``tools/analysis_tools/benchmark.py --reference NAME``."""
from .base import REFERENCES, ReferenceModel, TorchReferenceModel, load_function
from .keras_nanonet import KerasNanoNetReference
from .pranet import PraNetReference
from .smp import SMP_ARCHITECTURES, SMPReference

__all__ = ['REFERENCES', 'ReferenceModel', 'load_function', 'KerasNanoNetReference',
           'PraNetReference', 'TorchReferenceModel', 'SMP_ARCHITECTURES', 'SMPReference']
