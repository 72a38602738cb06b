from endommlab.structures import Frame, InferenceInput, InferenceResult
from .cli import add_runner_args, parse_runner_args
from .inference import inference_model, inference_pipeline, init_model, result_from_sample
from .model_zoo import ZooModel, find_model, list_models, resolve_model
from .polyp_inferencer import BACKENDS, InferenceRun, PolypInferencer
from .runner_builder import build_runner, load_config, report_user_errors

__all__ = [
    'add_runner_args', 'parse_runner_args', 'build_runner', 'load_config', 'report_user_errors',
    'init_model', 'inference_model', 'inference_pipeline', 'result_from_sample', 'Frame',
    'InferenceInput', 'InferenceResult', 'BACKENDS', 'InferenceRun', 'PolypInferencer',
    'ZooModel', 'find_model', 'list_models', 'resolve_model'
]
