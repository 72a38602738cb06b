"""A deployed network with its pre- and post-processing in numpy/OpenCV."""
import time
from typing import Tuple

import cv2
import numpy as np
from scipy.special import expit

from endommlab.structures import InferenceResult, polyp_region_score
from .deploy_meta import CLASS_PROBABILITIES


class DeployModel:
    """Runs a network exported for deployment on BGR images, as the test pipeline would.

    Pre-processing (what the config's test pipeline and data preprocessor do):
    bilinear resize to ``meta['input_size']`` (OpenCV, as mmcv's ``imresize``),
    BGR → RGB if ``bgr_to_rgb``, ``(x - mean) / std``, NCHW float32.
    Post-processing of polyp logits, as the PyTorch model: each logit map
    resized bilinearly to the original size (mmseg resizes logits, then applies
    the sigmoid or softmax), its sigmoid, the mean over an ensemble's members,
    ``> threshold`` (``>=`` if ``inclusive``; one model: its logit against the
    threshold's logit, the same mask without a full-size sigmoid), and the image
    emptied when the mask covers less than ``reference_area`` of it (Yu et al.'s
    threshold post-processing). The full-size probability map is computed only
    when ``with_probability`` (default). Subclasses implement :meth:`forward`
    for one backend.
    """

    def __init__(self, meta: dict) -> None:
        self.meta = meta
        self.input_size: Tuple[int, int] = tuple(meta['input_size'])
        self.mean = np.asarray(meta['mean'], dtype=np.float32)
        self.std = np.asarray(meta['std'], dtype=np.float32)
        self.with_probability = True

    def preprocess(self, image: np.ndarray) -> np.ndarray:
        """``(1, 3, H, W)`` float32 network input of one BGR uint8 image."""
        h, w = self.input_size
        x = cv2.resize(image, (w, h), interpolation=cv2.INTER_LINEAR)
        if self.meta['bgr_to_rgb']:
            x = x[..., ::-1]
        x = (x.astype(np.float32) - self.mean) / self.std
        return np.ascontiguousarray(x.transpose(2, 0, 1)[None])

    def forward(self, inputs: np.ndarray) -> np.ndarray:
        """The network's output for a batch of pre-processed images."""
        raise NotImplementedError

    def postprocess(self, output: np.ndarray, ori_shape: Tuple[int, int],
                    name: str = '') -> InferenceResult:
        """:class:`InferenceResult` of one image from its row of the network output."""
        if self.meta['output'] == CLASS_PROBABILITIES:
            return InferenceResult.for_classes(name, output.astype(np.float32),
                                               self.meta.get('classes'))
        h, w = ori_shape
        logits = [logit if logit.shape == (h, w) else cv2.resize(
            logit, (w, h), interpolation=cv2.INTER_LINEAR) for logit in output]
        threshold = self.meta['threshold']
        prob = None
        if len(logits) == 1:  # the sigmoid is monotonic: threshold the logit, as fast
            logit, cut = logits[0], np.log(threshold / (1 - threshold))
            mask = logit >= cut if self.meta['inclusive'] else logit > cut
            score = polyp_region_score(expit(logit[logit > 0]))  # p > 0.5: logit > 0
            if self.with_probability:
                prob = expit(logit)
        else:
            prob = np.mean([expit(logit) for logit in logits], axis=0)
            mask = prob >= threshold if self.meta['inclusive'] else prob > threshold
            score = polyp_region_score(prob)
        pending = None
        if self.meta['reference_area'] > 0:
            pending = bool(mask.mean() < self.meta['reference_area'])
            if pending:
                mask = np.zeros_like(mask)
        return InferenceResult(name=name, mask=mask, probability=prob, score=score,
                               pending_case=pending)

    def __call__(self, image: np.ndarray, name: str = '') -> InferenceResult:
        """Pre-process, run and post-process one BGR image (``ms`` set)."""
        start = time.perf_counter()
        output = self.forward(self.preprocess(image))[0]
        result = self.postprocess(output, image.shape[:2], name)
        result.ms = (time.perf_counter() - start) * 1000
        return result
