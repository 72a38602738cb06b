from .cli import add_runner_args, parse_runner_args
from .generalisation_benchmark import (DataSpec, ModelSpec, add_summary_rows, run_benchmark,
                                       write_table)
from .runner_builder import build_runner, load_config, report_user_errors

__all__ = [
    'add_runner_args', 'parse_runner_args', 'build_runner', 'load_config', 'report_user_errors',
    'DataSpec', 'ModelSpec', 'add_summary_rows', 'run_benchmark', 'write_table'
]
