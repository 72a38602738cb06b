"""Raw-head precision/recall/F1/MCC and per-head accuracy for MMPretrain classifiers."""
from typing import Dict, List, Optional, Sequence

import numpy as np
import torch
from mmengine.evaluator import BaseMetric
from mmengine.visualization import Visualizer
from mmpretrain.registry import METRICS

from endommlab.evaluation.functional.multiclass_scores import confusion_matrix, multiclass_scores


def _label(value) -> int:
    return int(value.item() if isinstance(value, torch.Tensor) else np.asarray(value).item())


@METRICS.register_module()
class MultiHeadClsMetric(BaseMetric):
    """EndoTect classification scores of the raw head, accuracy of every head.

    Keys (fractions, under ``prefix``, default ``cls``): ``precision_macro``,
    ``recall_macro``, ``f1_macro``, ``precision_micro``, ``recall_micro``,
    ``f1_micro``, ``mcc`` (multi-class Matthews correlation, the EndoTect
    ranking metric) and ``accuracy`` of the raw prediction ``pred_label``
    against ``gt_label`` (He et al., EndoTect 2020, Table 1; formulas in
    :mod:`endommlab.evaluation.functional.multiclass_scores`), and
    ``<name>_head_accuracy`` for every auxiliary head whose ``pred_label_<name>``
    and ``gt_label_<name>`` the samples carry (:class:`HybridLossHead`).

    Args:
        plot_confusion_matrix: draw the raw head's confusion matrix (paper
            Fig. 3) and hand it to the current visualizer, whose
            ``LocalVisBackend`` saves it as
            ``<work_dir>/<timestamp>/vis_data/vis_image/confusion_matrix_0.png``.
    """

    default_prefix: Optional[str] = 'cls'

    def __init__(self, plot_confusion_matrix: bool = False, collect_device: str = 'cpu',
                 prefix: Optional[str] = None) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix)
        self.plot_confusion_matrix = plot_confusion_matrix

    def process(self, data_batch, data_samples: Sequence[dict]) -> None:
        for sample in data_samples:
            result = dict(raw=(_label(sample['gt_label']), _label(sample['pred_label'])))
            for key in sample:
                name = key[len('pred_label_'):] if key.startswith('pred_label_') else None
                if name and f'gt_label_{name}' in sample:
                    result[name] = (_label(sample[f'gt_label_{name}']), _label(sample[key]))
            self.results.append(result)

    def compute_metrics(self, results: List[dict]) -> Dict[str, float]:
        classes = (self.dataset_meta or {}).get('classes')
        raw = np.array([r['raw'] for r in results])
        num_classes = len(classes) if classes else int(raw.max()) + 1
        cm = confusion_matrix(raw[:, 0], raw[:, 1], num_classes)
        metrics = multiclass_scores(cm)
        for name in sorted({k for r in results for k in r if k != 'raw'}):
            pairs = np.array([r[name] for r in results if name in r])
            metrics[f'{name}_head_accuracy'] = float((pairs[:, 0] == pairs[:, 1]).mean())
        if self.plot_confusion_matrix:
            Visualizer.get_current_instance().add_image('confusion_matrix',
                                                        draw_confusion_matrix(cm, classes))
        return metrics


def draw_confusion_matrix(cm: np.ndarray, classes: Optional[Sequence[str]] = None) -> np.ndarray:
    """RGB picture of a confusion matrix with its counts (MMPretrain's ``ConfusionMatrix.plot``)."""
    import matplotlib.pyplot as plt
    from mmpretrain.evaluation import ConfusionMatrix

    fig = ConfusionMatrix.plot(torch.from_numpy(np.asarray(cm, dtype=np.int64)),
                               include_values=True, cmap='Blues',
                               classes=list(classes) if classes else None, show=False)
    try:
        ax = fig.axes[0]  # long class names (23 HyperKvasir classes): vertical, all inside
        ax.tick_params(axis='x', labelrotation=90, labelsize=8)
        ax.tick_params(axis='y', labelsize=8)
        fig.tight_layout()
        fig.canvas.draw()
        return np.asarray(fig.canvas.buffer_rgba())[..., :3].copy()
    finally:
        plt.close(fig)
