"""An exported ONNX model run with ONNX Runtime and numpy pre/post-processing."""
import json
import os.path as osp
from typing import Optional

import numpy as np
from mmengine.config import Config

from endommlab.errors import ConfigError
from .deploy_meta import architecture
from .deploy_model import DeployModel
from .onnx_export import META_KEY


class ONNXRuntimeModel(DeployModel):
    """:class:`DeployModel` on an ONNX Runtime CPU session of a file from :func:`export_onnx`.

    Everything but the network comes from the file's metadata. ``cfg``, if
    given, is checked against it (same model and head types).

    Raises:
        ConfigError: the file is missing, is not an ONNX model, has no EndoMMLab
            metadata, does not match ``cfg``, or onnxruntime is not installed.
    """

    def __init__(self, onnx_file: str, cfg: Optional[Config] = None,
                 threads: Optional[int] = None) -> None:
        try:
            import onnxruntime as ort
        except ImportError:
            raise ConfigError('the onnxruntime backend needs the deploy extras: pip install '
                              '-r requirements/deploy.txt (or endommlab[deploy])') from None
        if not osp.isfile(onnx_file):
            raise ConfigError(f'ONNX model {onnx_file} does not exist')
        options = ort.SessionOptions()
        if threads:
            options.intra_op_num_threads = threads
            options.inter_op_num_threads = 1
        try:
            self.session = ort.InferenceSession(onnx_file, options,
                                                providers=['CPUExecutionProvider'])
        except Exception as e:  # onnxruntime raises its own exception types
            raise ConfigError(f'{onnx_file} is not a readable ONNX model: '
                              f'{str(e).strip().splitlines()[0]}') from None
        raw = self.session.get_modelmeta().custom_metadata_map.get(META_KEY)
        if raw is None:
            raise ConfigError(f'{onnx_file} has no EndoMMLab metadata: export it with '
                              'tools/deployment/export_onnx.py')
        super().__init__(json.loads(raw))
        if cfg is not None and architecture(cfg) != self.meta['architecture']:
            raise ConfigError(f"ONNX model {onnx_file} was exported from a "
                              f"{self.meta['architecture']} model ({self.meta['config']}), "
                              f'not the config\'s {architecture(cfg)}')
        self.input_name = self.session.get_inputs()[0].name

    def forward(self, inputs: np.ndarray) -> np.ndarray:
        return self.session.run(None, {self.input_name: inputs})[0]
