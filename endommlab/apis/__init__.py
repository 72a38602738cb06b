from .runner_builder import build_runner, load_config, report_user_errors

__all__ = ['build_runner', 'load_config', 'report_user_errors']
