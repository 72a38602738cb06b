"""Model from config + checkpoint, and inference on images (mmseg's ``init_model`` /
``inference_model``), for every EndoMMLab task."""
import copy
import warnings
from pathlib import Path
from typing import List, Optional, Sequence, Union

import numpy as np
import torch
from mmengine.config import Config
from mmengine.dataset import Compose, pseudo_collate
from mmengine.registry import DATASETS, MODELS, DefaultScope, init_default_scope
from mmengine.runner.checkpoint import load_state_dict
from torch import nn

from endommlab.datasets.transforms import uncached_steps
from endommlab.models.segmentors import polyp_probability
from endommlab.structures import InferenceResult, load_image, polyp_region_score
from endommlab.utils import load_fitting_checkpoint, state_dict_of
from .runner_builder import load_config

ImageType = Union[str, np.ndarray]

#: Test-pipeline steps that read files: inference feeds loaded images and has no annotations.
FILE_LOADERS = ('LoadImageFromFile', 'LoadAnnotations')


def _drop_pretrained(model_cfg) -> None:
    """Remove every ``init_cfg`` of type Pretrained (the checkpoint replaces them)."""
    if isinstance(model_cfg, dict):
        init_cfg = model_cfg.get('init_cfg')
        if isinstance(init_cfg, dict) and init_cfg.get('type') == 'Pretrained':
            model_cfg['init_cfg'] = None
        for value in model_cfg.values():
            _drop_pretrained(value)
    elif isinstance(model_cfg, (list, tuple)):
        for value in model_cfg:
            _drop_pretrained(value)


def init_model(config: Union[str, Path, Config], checkpoint: Optional[str] = None,
               device: str = 'cpu', cfg_options: Optional[dict] = None) -> nn.Module:
    """Build the model of ``config``, load ``checkpoint`` strictly and put it in eval mode.

    As MMSegmentation's ``init_model``: pre-trained ``init_cfg`` entries are
    dropped (the checkpoint holds every weight), the checkpoint's
    ``meta['dataset_meta']`` becomes ``model.dataset_meta`` (else the test
    dataset's ``METAINFO``), and the config is kept as ``model.cfg``.
    Checkpoints load through EndoMMLab's weights-only loader.

    Raises:
        ConfigError: the config is missing.
        CheckpointError: the checkpoint is missing, unreadable, unsafe, or its weights do
            not fit the config's model.
    """
    cfg = load_config(str(config), cfg_options) if not isinstance(config, Config) \
        else copy.deepcopy(config)
    _drop_pretrained(cfg.model)
    scope = cfg.get('default_scope', 'mmseg')
    init_default_scope(scope)
    with warnings.catch_warnings():
        warnings.filterwarnings('ignore', message='``build_loss`` would be deprecated')  # mmseg's
        model = MODELS.build(cfg.model)
    dataset_meta = None
    if checkpoint is not None:
        ckpt = load_fitting_checkpoint(model, checkpoint, cfg.filename)  # a named error if not
        load_state_dict(model, state_dict_of(ckpt), strict=True, logger='silent')
        dataset_meta = ckpt.get('meta', {}).get('dataset_meta')
    if dataset_meta is None:
        dataset_cfg = (cfg.get('test_dataloader') or {}).get('dataset', {})
        dataset_cls = DATASETS.get(f"{scope}.{dataset_cfg.get('type', '')}")
        dataset_meta = dict(getattr(dataset_cls, 'METAINFO', {}))
    model.dataset_meta = dataset_meta
    model.cfg = cfg
    return model.to(device).eval()


def inference_pipeline(cfg: Config) -> Compose:
    """The config's test pipeline for images already loaded (no file reading, no annotations)."""
    steps = [step for step in uncached_steps(cfg.test_dataloader.dataset.pipeline)
             if step['type'].split('.')[-1] not in FILE_LOADERS]
    with DefaultScope.overwrite_default_scope(cfg.get('default_scope', 'mmseg')):
        return Compose(copy.deepcopy(steps))


def inference_model(model: nn.Module, images: Union[ImageType, Sequence[ImageType]],
                    pipeline: Optional[Compose] = None, names: Optional[Sequence[str]] = None):
    """Data samples predicted for ``images``: BGR arrays or image paths (one, or a list:
    a list is returned).

    ``pipeline`` defaults to :func:`inference_pipeline` of ``model.cfg``;
    ``names`` (the samples' ``img_path``) to the paths, ``image_<i>`` for arrays.

    Raises:
        DataError: an image path does not exist or cannot be decoded.
    """
    batch = isinstance(images, (list, tuple))
    images = list(images) if batch else [images]
    if names is None:
        names = [i if isinstance(i, str) else f'image_{n}' for n, i in enumerate(images)]
    images = [load_image(i) if isinstance(i, str) else i for i in images]
    pipeline = pipeline or inference_pipeline(model.cfg)
    data = [pipeline(dict(img=img, img_shape=img.shape[:2], ori_shape=img.shape[:2],
                          img_path=name, img_id=i))
            for i, (img, name) in enumerate(zip(images, names))]
    with torch.no_grad():
        samples = model.test_step(pseudo_collate(data))
    return samples if batch else samples[0]


def _numpy(data) -> np.ndarray:
    return data.detach().cpu().numpy()


def result_from_sample(model: nn.Module, sample, name: str = '') -> InferenceResult:
    """:class:`InferenceResult` of one predicted data sample of ``model``, at the original size.

    Segmentation: mask ``pred_sem_seg == polyp_index`` (after any post-processing
    the model applies), polyp probability, score = its :func:`polyp_region_score`. Instances: the
    union of the kept instances' masks, score = the best instance score.
    Classification: the class probabilities and the top class.
    """
    if 'pred_sem_seg' in sample:
        index = getattr(model, 'polyp_index', 1)
        mask = _numpy(sample.pred_sem_seg.data[0]) == index
        prob = _numpy(polyp_probability(sample.seg_logits.data, index)).astype(np.float32)
        return InferenceResult(name=name, mask=mask, probability=prob,
                               score=polyp_region_score(prob),
                               pending_case=sample.metainfo.get('pending_case'))
    if 'pred_instances' in sample:
        inst = sample.pred_instances
        masks = _numpy(inst.masks).astype(bool)
        scores = _numpy(inst.scores)
        mask = masks.any(axis=0) if len(masks) else np.zeros(sample.ori_shape, dtype=bool)
        return InferenceResult(name=name, mask=mask, score=float(scores.max(initial=0.0)),
                               instances=dict(boxes=_numpy(inst.bboxes), scores=scores,
                                              masks=masks))
    scores = _numpy(sample.pred_score).astype(np.float32)
    return InferenceResult.for_classes(name, scores, model.dataset_meta.get('classes'))


def inference_results(model: nn.Module, images: List[np.ndarray], names: List[str],
                      pipeline: Optional[Compose] = None) -> List[InferenceResult]:
    """:func:`inference_model` then :func:`result_from_sample` for each image."""
    samples = inference_model(model, images, pipeline, names)
    return [result_from_sample(model, s, n) for s, n in zip(samples, names)]
