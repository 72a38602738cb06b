"""The authors' Keras NanoNet (Jha et al., CBMS 2021), DebeshJha/NanoNet, on TensorFlow."""
import os
from typing import Tuple

import torch
from mmengine.config import Config

from endommlab.errors import ConfigError
from .base import ReferenceModel, add_to_path, register_reference

#: bridge channels of the config's head -> the authors' model function
VARIANTS = {192: 'NanoNet_A', 128: 'NanoNet_B', 48: 'NanoNet_C'}


@register_reference('nanonet-keras')
class KerasNanoNetReference(ReferenceModel):
    """``model.py``'s ``NanoNet_A/B/C`` (random weights), as ``tf.function`` and
    ``train_on_batch``.

    ``path`` holds the authors' ``model.py``, ``se.py`` and ``metrics.py``;
    tensorflow-cpu must be importable (e.g. its site-packages on ``PYTHONPATH``).
    Inputs are the same images in NHWC; training is Keras' ``train_on_batch``
    with Nadam at the config's learning rate and the authors' ``dice_loss``, as
    their ``train.py`` compiles the model. The authors' residual block computes the
    released-form shortcut (``s = BN(r)``, see configs/nanonet/README.md), so the config's
    head must use ``shortcut='bn'`` for both sides to be the same network.
    """

    def __init__(self, cfg: Config, path: str, threads: int, size: Tuple[int, int]) -> None:
        super().__init__(cfg, path, threads, size)
        shortcut = cfg.model.decode_head.get('shortcut', 'conv')
        if shortcut != 'bn':
            raise ConfigError(f"--reference nanonet-keras: the authors' model.py computes the "
                              f"released-form shortcut, the config's head uses "
                              f"shortcut='{shortcut}'; add --cfg-options "
                              f'model.decode_head.shortcut=bn')
        os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '2')
        add_to_path(path, 'model.py')
        try:
            import tensorflow as tf
        except ImportError:
            raise ConfigError('--reference nanonet-keras needs tensorflow-cpu importable '
                              '(pip install tensorflow-cpu, or its site-packages on '
                              'PYTHONPATH)') from None
        tf.config.threading.set_intra_op_parallelism_threads(threads)
        tf.config.threading.set_inter_op_parallelism_threads(1)
        import tensorflow.keras.applications as applications
        mobilenet_v2 = applications.MobileNetV2
        applications.MobileNetV2 = lambda **kw: mobilenet_v2(**dict(kw, weights=None))
        import metrics
        import model as authors
        bridge = cfg.model.decode_head.bridge_channels
        if bridge not in VARIANTS:
            raise ConfigError(f'--reference nanonet-keras: no NanoNet variant has bridge '
                              f'channels {bridge}')
        self.tf = tf
        self.net = getattr(authors, VARIANTS[bridge])(tuple(size) + (3, ))
        self.net.compile(optimizer=tf.keras.optimizers.Nadam(self.learning_rate(cfg)),
                         loss=metrics.dice_loss)
        self.infer = tf.function(lambda x: self.net(x, training=False))

    @property
    def params(self) -> int:
        return int(self.net.count_params())

    def forward(self, images: torch.Tensor) -> object:
        return self.infer(self.tf.constant(images.permute(0, 2, 3, 1).numpy())).numpy()

    def train_step(self, images: torch.Tensor, masks: torch.Tensor) -> float:
        return float(self.net.train_on_batch(images.permute(0, 2, 3, 1).numpy(),
                                             masks.permute(0, 2, 3, 1).numpy()))
