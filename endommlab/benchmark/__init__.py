"""Benchmarking: interleaved timing, memory, synthetic batches and reference implementations
(``tools/analysis_tools/benchmark.py``)."""
from .config_benchmark import MODES, ConfigBenchmark
from .machine import cpu_description
from .memory import memory_mib, reset_peak_memory
from .references import REFERENCES
from .synthetic_batch import disc_masks, synthetic_batch
from .timing import Timing, time_interleaved

__all__ = ['MODES', 'ConfigBenchmark', 'cpu_description', 'memory_mib', 'reset_peak_memory',
           'REFERENCES', 'disc_masks', 'synthetic_batch', 'Timing', 'time_interleaved']
