"""Deployment: models exported with ``torch.onnx`` / TorchScript and run with numpy
pre- and post-processing (ONNX Runtime on CPU)."""
from .deploy_meta import CLASS_PROBABILITIES, POLYP_LOGITS, deploy_meta, test_input_size
from .deploy_model import DeployModel
from .deploy_wrapper import DeployWrapper, trace_torchscript
from .onnx_export import META_KEY, export_onnx
from .onnx_quantization import calibration_images, quantize_onnx
from .onnxruntime_model import ONNXRuntimeModel
from .torchscript_model import TorchScriptModel

__all__ = [
    'CLASS_PROBABILITIES', 'POLYP_LOGITS', 'deploy_meta', 'test_input_size', 'DeployModel',
    'DeployWrapper', 'trace_torchscript', 'META_KEY', 'export_onnx', 'calibration_images',
    'quantize_onnx', 'ONNXRuntimeModel',
    'TorchScriptModel'
]
