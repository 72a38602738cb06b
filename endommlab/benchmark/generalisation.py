"""Score (config, checkpoint) pairs on several converted data sets: the generalisation table.

What ``tools/analysis_tools/generalisation.py`` runs (the tool parses the
arguments and writes the table). Every image of every data set goes through
the model's ``test_step`` (its test pipeline, data preprocessor and
post-processing, batch 1) and then through the project's
metrics: :class:`~endommlab.evaluation.metrics.PolypSegMetric` (or
``PolypInstanceMetric`` for MMDetection models, on the union of the
instances) and :class:`~endommlab.evaluation.metrics.PraNetMetric`. Across
data sets the table adds the mean and the EndoCV2021 generalisation score and
gap of each out-of-distribution set against the in-distribution one
(:func:`~endommlab.evaluation.functional.generalisation_gap`).
"""
import copy
import os.path as osp
import time
from dataclasses import dataclass
from typing import Dict, List, Optional, Sequence

import numpy as np
import torch
from mmengine.evaluator import Evaluator
from mmengine.registry import MODELS, init_default_scope
from mmengine.runner import Runner, load_state_dict
from mmengine.utils import ProgressBar

from endommlab.apis import load_config
from endommlab.datasets.data_root import check_data_root
from endommlab.errors import ConfigError
from endommlab.evaluation.functional import FRAME_KEYS, GAP_KEYS, SCORE_KEYS, generalisation_gap
from endommlab.evaluation.metrics import PRANET_KEYS
from endommlab.models.segmentors import ThresholdPostProcessSegmentor
from endommlab.utils import load_fitting_checkpoint, state_dict_of

#: Columns of the table, in order.
COLUMNS = (('model', 'post_process', 'data', 'images', 'negatives') + SCORE_KEYS + FRAME_KEYS
           + tuple(f'pranet_{k}' for k in PRANET_KEYS) + ('fps', ) + GAP_KEYS)


@dataclass
class DataSpec:
    """One converted data set: ``NAME=DIR[:SPLIT]``."""

    name: str
    root: str
    split: Optional[str] = None

    @classmethod
    def parse(cls, text: str) -> 'DataSpec':
        name, sep, rest = text.partition('=')
        if not sep or not name or not rest:
            raise ConfigError(f'--data {text!r}: expected NAME=DIR[:SPLIT]')
        root, _, split = rest.partition(':')
        if not osp.isdir(root):
            raise ConfigError(f'--data {name}: directory {root} does not exist (convert the data '
                              'set first, e.g. tools/dataset_converters/images_masks.py)')
        return cls(name, root, split or None)

    def ann_file(self, instances: bool) -> str:
        """``splits/<split>.txt`` or ``annotations/instances_<split>.json``; split default ``test``
        when the set has one (what the converters write without ``--num-val``), else ``val``."""
        pattern = 'annotations/instances_{}.json' if instances else 'splits/{}.txt'
        split = self.split or ('test' if osp.isfile(osp.join(self.root, pattern.format('test')))
                               else 'val')
        ann_file = pattern.format(split)
        check_data_root(self.root, osp.join(self.root, ann_file))
        return ann_file


@dataclass
class ModelSpec:
    """One model: ``[NAME=]CONFIG:CHECKPOINT``."""

    name: str
    config: str
    checkpoint: str

    @classmethod
    def parse(cls, text: str) -> 'ModelSpec':
        name, sep, rest = text.rpartition('=')
        config, colon, checkpoint = rest.rpartition(':')
        if not colon or not config or not checkpoint:
            raise ConfigError(f'--models {text!r}: expected [NAME=]CONFIG:CHECKPOINT')
        if not osp.isfile(config):
            raise ConfigError(f'config file {config} does not exist')
        if not osp.isfile(checkpoint):
            raise ConfigError(f'checkpoint {checkpoint} does not exist')
        return cls(name if sep else osp.splitext(osp.basename(config))[0], config, checkpoint)


def build_test_model(spec: ModelSpec, cfg_options: Optional[dict] = None):
    """``(cfg, model)``: the config's model in evaluation mode with the checkpoint loaded."""
    cfg = load_config(spec.config, cfg_options)
    init_default_scope(cfg.get('default_scope', 'mmseg'))
    model_cfg = copy.deepcopy(cfg.model)
    if cfg.get('data_preprocessor') is not None:  # as the Runner does
        model_cfg.setdefault('data_preprocessor', cfg.data_preprocessor)
    model = MODELS.build(model_cfg)
    checkpoint = load_fitting_checkpoint(model, spec.checkpoint, spec.config)  # refuse first
    load_state_dict(model, state_dict_of(checkpoint), strict=True, logger='current')
    return cfg, model.eval()


def build_test_loader(cfg, data: DataSpec, instances: bool, num_workers: int):
    """The config's test dataloader (batch 1) on another converted data set."""
    loader = copy.deepcopy(cfg.test_dataloader)
    loader.update(batch_size=1, num_workers=num_workers, persistent_workers=False)
    loader.dataset.update(data_root=data.root, ann_file=data.ann_file(instances))
    return Runner.build_dataloader(loader)


def without_post_processing(sample: dict) -> dict:
    """A :class:`ThresholdPostProcessSegmentor` prediction as the wrapped model made it."""
    sample = dict(sample, pred_sem_seg=sample['raw_sem_seg'])
    sample.pop('pending_case', None)
    return sample


def evaluate_model(model: torch.nn.Module, loader, instances: bool, views: Sequence[str],
                   title: str) -> Dict[str, dict]:
    """Scores of every view (``'on'``/``'off'`` post-processing, or ``'-'``) and the FPS.

    FPS is images per second of ``model.test_step`` (preprocessing, forward,
    post-processing; data loading excluded), batch 1.
    """
    mask_metric = 'PolypInstanceMetric' if instances else 'PolypSegMetric'
    evaluators = {v: Evaluator([dict(type=mask_metric), dict(type='PraNetMetric')])
                  for v in views}
    print(title, flush=True)
    bar = ProgressBar(len(loader.dataset))
    seconds = 0.0
    with torch.no_grad():
        for batch in loader:
            start = time.perf_counter()
            outputs = model.test_step(batch)
            seconds += time.perf_counter() - start
            samples = [o.to_dict() for o in outputs]
            for view, evaluator in evaluators.items():
                evaluator.process([without_post_processing(s) for s in samples]
                                  if view == 'off' else samples, batch)
            bar.update(len(samples))
    print(flush=True)
    fps = len(loader.dataset) / seconds if seconds else 0.0
    out = {}
    for view, evaluator in evaluators.items():
        scores = evaluator.evaluate(len(loader.dataset))
        out[view] = dict(images=int(scores['polyp/images']),
                         negatives=int(scores['polyp/negatives']),
                         **{k: scores[f'polyp/{k}'] for k in SCORE_KEYS},
                         **{k: scores.get(f'polyp/{k}') for k in FRAME_KEYS},  # None: no such frame
                         **{f'pranet_{k}': scores[f'pranet/{k}'] for k in PRANET_KEYS}, fps=fps)
    return out


def post_process_views(model: torch.nn.Module, requested: Sequence[str]) -> List[str]:
    """``requested`` for a model with threshold post-processing, else ``['-']``."""
    return list(requested) if isinstance(model, ThresholdPostProcessSegmentor) else ['-']


def run_benchmark(models: Sequence[ModelSpec], data: Sequence[DataSpec],
                  post_process: Sequence[str] = ('on', ), cfg_options: Optional[dict] = None,
                  num_workers: int = 0) -> List[dict]:
    """One row per (model, post-processing view, data set), before the summary rows."""
    rows = []
    for spec in models:
        cfg, model = build_test_model(spec, cfg_options)
        instances = cfg.get('default_scope') == 'mmdet'
        views = post_process_views(model, post_process)
        for d in data:
            loader = build_test_loader(cfg, d, instances, num_workers)
            title = f'{spec.name} on {d.name} ({len(loader.dataset)} images)'
            for view, scores in evaluate_model(model, loader, instances, views, title).items():
                rows.append(dict(model=spec.name, post_process=view, data=d.name, **scores))
    return rows


def add_summary_rows(rows: Sequence[dict], in_distribution: str,
                     tolerance: float = 10.0) -> List[dict]:
    """Per (model, view): the gap columns of each out-of-distribution row, then a ``mean`` row.

    The ``mean`` row averages every score and the FPS over the data sets,
    totals images and negatives, and averages ``gen_score`` and ``gen_gap``
    over the out-of-distribution sets.
    """
    out = []
    groups: Dict[tuple, List[dict]] = {}
    for row in rows:
        groups.setdefault((row['model'], row['post_process']), []).append(dict(row))
    for (model, view), group in groups.items():
        reference = [r for r in group if r['data'] == in_distribution]
        if not reference:
            raise ConfigError(f'--in-distribution {in_distribution} is not one of the --data '
                              f"names {[r['data'] for r in group]}")
        for row in group:
            gap = dict.fromkeys(GAP_KEYS) if row is reference[0] else generalisation_gap(
                reference[0], row, tolerance)
            row.update(gap)
        mean = dict(model=model, post_process=view, data='mean',
                    images=sum(r['images'] for r in group),
                    negatives=sum(r['negatives'] for r in group))
        for key in COLUMNS[5:]:
            values = [r[key] for r in group if r[key] is not None]
            mean[key] = float(np.mean(values)) if values else None
        out += group + [mean]
    return out
