"""Benchmarking: interleaved timing, memory, synthetic batches and reference implementations
(``tools/analysis_tools/benchmark.py``), and the generalisation table (models x data sets,
``tools/analysis_tools/generalisation.py``), and the calibration of threshold post-processing on
frames with and without a polyp (``tools/analysis_tools/calibrate_post_process.py``)."""
from .config_benchmark import MODES, ConfigBenchmark
from .generalisation import COLUMNS, DataSpec, ModelSpec, add_summary_rows, run_benchmark
from .machine import cpu_description
from .memory import memory_mib, reset_peak_memory
from .post_process_calibration import (AREAS, THRESHOLDS, FrameCounts, calibrate, collect_counts,
                                       frame_counts, pareto_front)
from .references import REFERENCES
from .report import benchmark_table
from .synthetic_batch import disc_masks, synthetic_batch
from .timing import Timing, time_interleaved

__all__ = ['MODES', 'ConfigBenchmark', 'cpu_description', 'memory_mib', 'reset_peak_memory',
           'REFERENCES', 'benchmark_table', 'disc_masks', 'synthetic_batch', 'Timing',
           'time_interleaved', 'COLUMNS', 'DataSpec', 'ModelSpec', 'add_summary_rows',
           'run_benchmark', 'AREAS', 'THRESHOLDS', 'FrameCounts', 'calibrate', 'collect_counts',
           'frame_counts', 'pareto_front']
