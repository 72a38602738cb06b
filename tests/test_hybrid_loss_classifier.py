"""Hybrid-loss classifier with network trimming (He et al., EndoTect 2020) on HyperKvasir."""
import collections
import copy
import csv
import glob
import os
import os.path as osp
import pickle
import warnings

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from mmengine.config import Config

from conftest import HYPERKVASIR_SPLITS, REPO, require_path, run_tool, strict_albu

CONFIG_DIR = osp.join(REPO, 'configs', 'hybrid_loss_classifier')
HYBRID = {'resnet152': 'resnet152_hybrid_hyperkvasir.py',
          'mobilenetv3': 'mobilenetv3-large_hybrid_hyperkvasir.py'}
RAW = {'resnet152': 'resnet152_raw_hyperkvasir.py',
       'mobilenetv3': 'mobilenetv3-large_raw_hyperkvasir.py'}
AUX = {'macro': 11, 'oesophagus': 6, 'ulcer': 7}


def config(name: str) -> Config:
    return Config.fromfile(osp.join(CONFIG_DIR, name))


def read_split(path: str) -> list:
    with open(path, newline='') as f:
        rows = list(csv.reader(f, delimiter=';'))
    assert rows[0] == ['file-name', 'class-name', 'split-index']
    return rows[1:]


def make_release_tree(root: str, per_class: int = 2, size=(32, 40)) -> str:
    """Tiny JPEGs in the release layout, ``per_class`` per class, split index ``j % 2``."""
    import cv2

    from endommlab.datasets.hyperkvasir_labels import CLASS_FOLDERS
    rng = np.random.default_rng(0)
    rows = ['file-name;class-name;split-index']
    for c, (name, folder) in enumerate(CLASS_FOLDERS):
        os.makedirs(osp.join(root, 'labeled-images', folder), exist_ok=True)
        for j in range(per_class):
            file_name = f'img-{c:02d}-{j}.jpg'
            image = rng.integers(0, 256, (*size, 3), dtype=np.uint8)
            cv2.imwrite(osp.join(root, 'labeled-images', folder, file_name), image)
            rows.append(f'{file_name};{name};{j % 2}')
    os.makedirs(osp.join(root, 'official_splits'), exist_ok=True)
    with open(osp.join(root, 'official_splits', '2_fold_split.csv'), 'w') as f:
        f.write('\n'.join(rows) + '\n')
    return root


@pytest.fixture(scope='session')
def hk_tree(tmp_path_factory) -> str:
    """Generated HyperKvasir release tree: 23 classes x 2 JPEGs, one per fold, + split file."""
    return make_release_tree(str(tmp_path_factory.mktemp('hyperkvasir')))


def build_dataset(**kwargs):
    from mmengine.registry import init_default_scope
    from mmpretrain.registry import DATASETS

    import endommlab  # noqa: F401
    init_default_scope('mmpretrain')  # another test's Runner may have left a different scope
    return DATASETS.build(dict(type='HyperKvasirDataset', **kwargs))


# ----------------------------------------------------------------------------- labels
@pytest.mark.parametrize('split_file', ['2_fold_split.csv', '5_fold_split.csv'])
def test_every_row_of_the_real_split_files_maps(split_file, tmp_path):
    """All 10,662 rows map; the data set built on them has the CSV's per-class counts."""
    from endommlab.datasets.hyperkvasir_labels import RAW_CLASSES, class_folder, class_index
    path = osp.join(require_path(HYPERKVASIR_SPLITS), split_file)
    rows = read_split(path)
    assert len(rows) == 10662
    csv_counts = collections.Counter(name for _, name, _ in rows)
    assert len(csv_counts) == 23 and set(csv_counts) == set(RAW_CLASSES)
    labels = [class_index(name) for _, name, _ in rows]
    assert collections.Counter(RAW_CLASSES[i] for i in labels) == csv_counts
    # the release tree those rows name (empty files), read through the data set, both splits
    for file_name, name, _ in rows:
        folder = osp.join(tmp_path, 'labeled-images', class_folder(name))
        os.makedirs(folder, exist_ok=True)
        open(osp.join(folder, file_name), 'w').close()
    folds = sorted({int(i) for _, _, i in rows})
    assert folds == list(range(int(split_file[0])))
    counts = collections.Counter()
    for split in ('train', 'val'):
        ds = build_dataset(data_root=str(tmp_path), ann_file=path, fold=0, split=split)
        assert len(ds) == sum(1 for *_, i in rows if (i == '0') == (split == 'val'))
        counts.update(RAW_CLASSES[i] for i in ds.get_gt_labels())
    assert counts == csv_counts


def test_label_sets_follow_the_paper():
    from endommlab.datasets.hyperkvasir_labels import LABEL_SETS, RAW_CLASSES, label_set_targets
    assert len(RAW_CLASSES) == 23 and RAW_CLASSES == tuple(sorted(RAW_CLASSES))
    assert {k: len(v) for k, v in LABEL_SETS.items()} == AUX
    for name, classes in LABEL_SETS.items():
        assert classes[0] == 'other' and set(classes[1:]) <= set(RAW_CLASSES)
        targets = label_set_targets(name)
        for raw, target in zip(RAW_CLASSES, targets):
            assert classes[target] == (raw if raw in classes else 'other')
    macro, oes, ulcer = (label_set_targets(n) for n in ('macro', 'oesophagus', 'ulcer'))
    idx = RAW_CLASSES.index
    assert (macro[idx('polyp')], oes[idx('polyp')], ulcer[idx('polyp')]) == (8, 0, 0)
    assert (macro[idx('barretts')], oes[idx('barretts')]) == (0, 1)
    assert ulcer[idx('ulcerative-colitis-grade-1-2')] == 2
    assert ulcer[idx('ulcerative-colitis-grade-1')] == 4
    for raw in ('hemorroids', 'ileum'):  # in no extra set: "other" everywhere
        assert macro[idx(raw)] == oes[idx(raw)] == ulcer[idx(raw)] == 0
    # every other raw class is named by exactly one set
    named = [sum(t[i] > 0 for t in (macro, oes, ulcer)) for i in range(23)]
    assert sorted(named) == [0, 0] + [1] * 21


def test_folder_and_split_names_map_both_ways():
    from endommlab.datasets.hyperkvasir_labels import (CLASS_FOLDERS, RAW_CLASSES, class_folder,
                                                       folder_class)
    assert len({f for _, f in CLASS_FOLDERS}) == 23
    for name in RAW_CLASSES:
        assert folder_class(class_folder(name)) == name
    pairs = {folder.rsplit('/', 1)[1]: name for name, folder in CLASS_FOLDERS}
    assert pairs['esophagitis-a'] == 'oesophagitis-a' and pairs['hemorrhoids'] == 'hemorroids'
    assert pairs['polyps'] == 'polyp'
    assert pairs['barretts-short-segment'] == 'short-segment-barretts'
    assert pairs['cecum'] == 'normal-cecum' and pairs['z-line'] == 'normal-z-line'


def test_unknown_class_names_are_data_errors(hk_tree, tmp_path):
    from endommlab.datasets.hyperkvasir_labels import class_index, folder_class
    from endommlab.errors import DataError
    with pytest.raises(DataError, match='release folder name of split-file class `hemorroids`'):
        class_index('hemorrhoids')
    with pytest.raises(DataError, match='unknown HyperKvasir class name `gastric-ulcer`'):
        class_index('gastric-ulcer')
    with pytest.raises(DataError, match='unknown HyperKvasir labelled-image folder'):
        folder_class('lower-gi-tract/pathological-findings/polyp')
    bad = tmp_path / 'bad.csv'
    bad.write_text('file-name;class-name;split-index\nimg-00-0.jpg;normal-cecum;0\n'
                   'img-04-0.jpg;polyps;1\n')
    with pytest.raises(DataError, match=r'unknown HyperKvasir class name `polyps` in .*bad.csv:3'):
        build_dataset(data_root=hk_tree, ann_file=str(bad), fold=0)


# ----------------------------------------------------------------------------- data set
def test_dataset_reads_the_release_layout(hk_tree, tmp_path):
    from endommlab.datasets.hyperkvasir_labels import RAW_CLASSES, folder_class, label_set_targets
    from endommlab.errors import ConfigError, DataError, DataRootNotFoundError
    train0 = build_dataset(data_root=hk_tree, fold=0, split='train')
    val0 = build_dataset(data_root=hk_tree, fold=0, split='val')
    train1 = build_dataset(data_root=hk_tree, fold=1, split='train')
    assert len(train0) == len(val0) == len(train1) == 23
    assert sorted(train0.get_gt_labels()) == list(range(23))  # one image of every class
    paths = lambda ds: {ds.get_data_info(i)['img_path'] for i in range(len(ds))}  # noqa: E731
    assert paths(train0) == paths(build_dataset(data_root=hk_tree, fold=1, split='val'))
    assert not paths(train0) & paths(val0)
    assert all(p.endswith('-1.jpg') for p in paths(train0))  # fold 0 trains on split index 1
    assert all(osp.isfile(p) for p in paths(train0) | paths(val0))
    assert train0.metainfo['classes'] == RAW_CLASSES
    for i in range(len(val0)):
        info = val0.get_data_info(i)
        folder = osp.relpath(osp.dirname(info['img_path']), osp.join(hk_tree, 'labeled-images'))
        assert RAW_CLASSES[info['gt_label']] == folder_class(folder)
        for name in AUX:
            assert info[f'gt_label_{name}'] == label_set_targets(name)[info['gt_label']]
    whole = build_dataset(data_root=hk_tree, ann_file='', fold=None)  # the tree, no split file
    assert len(whole) == 46 and sorted(whole.get_gt_labels()) == sorted(list(range(23)) * 2)
    with pytest.raises(ConfigError, match='fold 2 is not a split index'):
        build_dataset(data_root=hk_tree, fold=2)
    with pytest.raises(ConfigError, match="split must be 'train' or 'val'"):
        build_dataset(data_root=hk_tree, split='test')
    with pytest.raises(DataRootNotFoundError, match='does not exist'):
        build_dataset(data_root=str(tmp_path / 'absent'))
    partial = make_release_tree(str(tmp_path / 'partial'), per_class=1)
    os.remove(glob.glob(osp.join(partial, 'labeled-images', '*', '*', 'polyps', '*.jpg'))[0])
    with pytest.raises(DataError, match='1 images named by .* are not in'):
        build_dataset(data_root=partial, fold=0, split='val')
    os.makedirs(osp.join(partial, 'labeled-images', 'lower-gi-tract', 'pathological-findings',
                         'polyp'))
    with pytest.raises(DataError, match='unknown HyperKvasir labelled-image folder'):
        build_dataset(data_root=partial, ann_file='', fold=None)


def test_pipeline_packs_the_four_labels(hk_tree):
    from mmengine.registry import init_default_scope
    from mmpretrain.registry import DATASETS

    import endommlab  # noqa: F401
    init_default_scope('mmpretrain')
    cfg = config(HYBRID['mobilenetv3'])
    ds_cfg = copy.deepcopy(cfg.train_dataloader.dataset)
    ds_cfg.update(data_root=hk_tree)
    sample = DATASETS.build(ds_cfg)[0]
    assert sample['inputs'].shape == (3, 224, 224)
    ds = sample['data_samples']
    assert int(ds.gt_label) in range(23)
    assert all(isinstance(ds.get(f'gt_label_{n}'), int) for n in AUX)


def test_albumentations_transforms_really_apply():
    """albumentations 2 only warns on unknown arguments: each transform must change pixels."""
    from mmpretrain.datasets.transforms import Albumentations

    import endommlab  # noqa: F401
    cfg = config(HYBRID['resnet152'])
    assert [t.type for t in cfg.albu_transforms] == [
        'RandomBrightnessContrast', 'RGBShift', 'RandomBrightnessContrast', 'HorizontalFlip',
        'VerticalFlip', 'Perspective', 'Blur']
    y, x = np.mgrid[0:64, 0:64]
    image = np.stack([x * 3, y * 3, (x + y) * 2], axis=-1).astype(np.uint8)  # asymmetric gradient
    for t in cfg.albu_transforms:
        out = strict_albu(t)(image=image)['image']  # seeded: a reproducible draw
        assert out.shape == image.shape and not np.array_equal(out, image), t
    with warnings.catch_warnings():  # the whole MMPretrain wrapper keeps the labels
        warnings.simplefilter('error')
        wrapper = Albumentations(transforms=[dict(t, p=1.0) for t in cfg.albu_transforms])
        out = wrapper(dict(img=image.copy(), gt_label=3, gt_label_macro=0, img_path='x.jpg'))
    assert out['gt_label'] == 3 and out['gt_label_macro'] == 0
    assert not np.array_equal(out['img'], image) and out['img_shape'] == (64, 64)


def test_configs_mirror_the_paper():
    for backbone, batch in (('resnet152', 32), ('mobilenetv3', 128)):
        hybrid, raw = config(HYBRID[backbone]), config(RAW[backbone])
        for cfg in (hybrid, raw):
            opt = cfg.optim_wrapper.optimizer
            assert (opt.type, opt.lr, opt.momentum) == ('SGD', 0.003, 0.9)
            assert cfg.train_cfg.max_epochs == 40
            assert cfg.param_scheduler.milestones == [10, 20, 30]
            assert cfg.param_scheduler.gamma == 0.1
            assert cfg.train_dataloader.batch_size == batch == cfg.auto_scale_lr.base_batch_size
            assert cfg.model.backbone.init_cfg.type == 'Pretrained'
            assert cfg.model.neck.type == 'GlobalAveragePooling'
            assert cfg.model.head.num_classes == 23
            assert cfg.train_dataloader.dataset.fold == cfg.val_dataloader.dataset.fold == 0
        assert raw.model.head.type == 'LinearClsHead' and 'custom_hooks' not in raw
        assert hybrid.model.head.type == 'HybridLossHead'
        assert {k: v.num_classes for k, v in hybrid.model.head.aux_heads.items()} == AUX
        assert hybrid.custom_hooks == [dict(type='TrimmingHook')]
        for name in (HYBRID[backbone], RAW[backbone]):
            fold1 = config(name.replace('.py', '_fold1.py'))
            assert (fold1.train_dataloader.dataset.fold, fold1.val_dataloader.dataset.fold,
                    fold1.test_dataloader.dataset.fold) == (1, 1, 1)
            assert fold1.model == config(name).model
    assert config(HYBRID['resnet152']).model.backbone.depth == 152
    assert config(HYBRID['mobilenetv3']).model.backbone.arch == 'large'


# ----------------------------------------------------------------------------- model
def build_model(cfg: Config):
    from mmengine.registry import init_default_scope
    from mmpretrain.registry import MODELS

    import endommlab  # noqa: F401
    init_default_scope('mmpretrain')
    model_cfg = copy.deepcopy(cfg.model)
    model_cfg.backbone.init_cfg = None
    model_cfg.data_preprocessor = cfg.data_preprocessor
    return MODELS.build(model_cfg)


def data_samples(labels):
    from mmpretrain.structures import DataSample

    from endommlab.datasets.hyperkvasir_labels import label_set_targets
    samples = []
    for label in labels:
        s = DataSample().set_gt_label(label)
        for name in AUX:
            s.set_field(label_set_targets(name)[label], f'gt_label_{name}')
        samples.append(s)
    return samples


def test_hybrid_loss_is_the_sum_of_four_cross_entropies():
    from endommlab.datasets.hyperkvasir_labels import label_set_targets
    cfg = config(HYBRID['mobilenetv3'])
    weights = {'raw': 1.0, 'macro': 0.5, 'oesophagus': 2.0, 'ulcer': 1.0}
    cfg.model.head.loss.loss_weight = weights['raw']
    for name in AUX:
        cfg.model.head.aux_heads[name].loss.loss_weight = weights[name]
    model = build_model(cfg)
    torch.manual_seed(0)
    labels = [20, 13, 12, 1, 5, 22]  # ulcer, polyp, oesophagitis-b-d, bbps, hemorroids, ulcer
    inputs = torch.randn(len(labels), 3, 32, 32)
    losses = model.loss(inputs, data_samples(labels))
    total, log_vars = model.parse_losses(losses)
    feats = model.extract_feat(inputs)[-1]
    head = model.head
    ce = {'raw': F.cross_entropy(head.fc(feats), torch.tensor(labels))}
    for name in AUX:
        target = torch.tensor([label_set_targets(name)[i] for i in labels])
        ce[name] = F.cross_entropy(head.aux_fcs[name](feats), target)
    for name in weights:
        assert torch.allclose(losses[f'loss_{name}'], weights[name] * ce[name], atol=1e-6)
    assert torch.allclose(total, sum(weights[n] * ce[n] for n in weights), atol=1e-6)
    assert set(log_vars) >= {f'accuracy_{n}' for n in weights}
    total.backward()
    assert all(head.aux_fcs[n].weight.grad.abs().sum() > 0 for n in AUX)
    model.zero_grad()
    before = float(total.detach())
    optimizer = torch.optim.SGD(model.parameters(), lr=0.003, momentum=0.9)  # the paper's
    for _ in range(3):
        optimizer.zero_grad()
        loss, _ = model.parse_losses(model.loss(inputs, data_samples(labels)))
        loss.backward()
        optimizer.step()
    with torch.no_grad():
        after, _ = model.parse_losses(model.loss(inputs, data_samples(labels)))
    assert torch.isfinite(after) and float(after) < before


def test_trimming_keeps_the_raw_logits_and_drops_three_heads():
    """In-process on MobileNetV3 (ResNet-152: training-run test below and the benchmark)."""
    backbone = 'mobilenetv3'
    from endommlab.engine.hooks import trim_classifier
    from endommlab.errors import ConfigError
    cfg = config(HYBRID[backbone])
    model = build_model(cfg)
    torch.manual_seed(1)
    inputs = torch.randn(2, 3, 64, 64)
    model.train()
    model(inputs, mode='tensor')  # non-trivial BN statistics
    model.eval()
    trimmed_cfg, weights = trim_classifier(cfg, model.state_dict())
    assert trimmed_cfg.model.head.type == 'LinearClsHead'
    assert 'aux_heads' not in trimmed_cfg.model.head
    assert trimmed_cfg.custom_hooks == [] and 'aux_heads' not in trimmed_cfg
    assert not any('aux' in k for k in weights)
    dropped = set(model.state_dict()) - set(weights)
    assert dropped == {f'head.aux_fcs.{n}.{p}' for n in AUX for p in ('weight', 'bias')}
    trimmed = build_model(trimmed_cfg)
    trimmed.load_state_dict(weights, strict=True)
    trimmed.eval()
    count = lambda m: sum(p.numel() for p in m.parameters())  # noqa: E731
    channels = cfg.model.head.in_channels
    assert count(model) - count(trimmed) == (channels + 1) * sum(AUX.values())
    with torch.no_grad():
        assert torch.allclose(model(inputs, mode='tensor'), trimmed(inputs, mode='tensor'),
                              atol=1e-6, rtol=0)
        full = model(inputs, data_samples(range(2)), mode='predict')
        small = trimmed(inputs, mode='predict')
    for a, b in zip(full, small):
        assert torch.allclose(a.pred_score, b.pred_score, atol=1e-6, rtol=0)
        assert all(f'pred_score_{n}' in a for n in AUX)
        assert not any(f'pred_score_{n}' in b for n in AUX)
    with pytest.raises(ConfigError, match='needs a model with a HybridLossHead'):
        trim_classifier(config(RAW[backbone]), model.state_dict())


# ----------------------------------------------------------------------------- metrics
def test_multiclass_scores_against_hand_computation():
    from endommlab.evaluation.functional import confusion_matrix, multiclass_scores
    gt = [0, 0, 1, 1, 2, 2, 2]
    pred = [0, 1, 1, 1, 2, 0, 2]
    cm = confusion_matrix(gt, pred, 4)  # class 3 neither occurs nor is predicted: not averaged
    assert cm.tolist() == [[1, 1, 0, 0], [0, 2, 0, 0], [1, 0, 2, 0], [0, 0, 0, 0]]
    s = multiclass_scores(cm)
    # precision 1/2, 2/3, 1; recall 1/2, 1, 2/3; F1 1/2, 4/5, 4/5
    assert s['precision_macro'] == pytest.approx((1 / 2 + 2 / 3 + 1) / 3)
    assert s['recall_macro'] == pytest.approx((1 / 2 + 1 + 2 / 3) / 3)
    assert s['f1_macro'] == pytest.approx((0.5 + 0.8 + 0.8) / 3)
    for key in ('precision_micro', 'recall_micro', 'f1_micro', 'accuracy'):
        assert s[key] == pytest.approx(5 / 7)
    # MCC: c=5, s=7, sum p_k t_k = 2*2 + 3*2 + 2*3 = 16, sum p^2 = sum t^2 = 17 -> 19/32
    assert s['mcc'] == pytest.approx(19 / 32)
    # a class predicted but never true counts, with precision = recall = 0
    s = multiclass_scores(confusion_matrix([0, 0, 1], [0, 2, 1], 3))
    assert s['precision_macro'] == pytest.approx((1 + 1 + 0) / 3)
    assert s['recall_macro'] == pytest.approx((0.5 + 1 + 0) / 3)
    assert multiclass_scores(confusion_matrix([1, 1], [1, 1], 2))['mcc'] == 0.0  # undefined -> 0


def test_multiclass_scores_never_predicted_and_absent_classes():
    """3 classes: class 1 occurs but is never predicted, class 2 is predicted but never occurs."""
    from endommlab.evaluation.functional import confusion_matrix, multiclass_scores
    gt = [0, 0, 0, 0, 1, 1]
    pred = [0, 0, 0, 2, 0, 0]
    cm = confusion_matrix(gt, pred, 3)
    # rows truth, columns prediction: 0 -> 0 three times, 0 -> 2 once, 1 -> 0 twice
    assert cm.tolist() == [[3, 0, 1], [2, 0, 0], [0, 0, 0]]
    s = multiclass_scores(cm)
    # per class (column sums p = 5, 0, 1; row sums t = 4, 2, 0; 0/0 counts as 0):
    #   class 0: precision 3/5, recall 3/4, F1 2 * 3/5 * 3/4 / (3/5 + 3/4) = 2/3
    #   class 1: precision 0/0 -> 0, recall 0/2 = 0, F1 0
    #   class 2: precision 0/1 = 0, recall 0/0 -> 0, F1 0
    # macro = mean over the 3 classes: precision 1/5, recall 1/4, F1 2/9
    assert s['precision_macro'] == pytest.approx(0.2)
    assert s['recall_macro'] == pytest.approx(0.25)
    assert s['f1_macro'] == pytest.approx(0.2222222222)
    # micro = accuracy = trace / total = 3/6
    for key in ('precision_micro', 'recall_micro', 'f1_micro', 'accuracy'):
        assert s[key] == pytest.approx(0.5)
    # MCC: c = 3, s = 6, sum p_k t_k = 5*4 + 0*2 + 1*0 = 20, sum p^2 = 26, sum t^2 = 20:
    #   (3*6 - 20) / sqrt((36 - 26) * (36 - 20)) = -2 / sqrt(160) = -0.158113883
    assert s['mcc'] == pytest.approx(-0.158113883)
    # no samples at all: every score 0
    assert set(multiclass_scores(confusion_matrix([], [], 3)).values()) == {0.0}
    with pytest.raises(ValueError, match='labels must lie in'):
        confusion_matrix([0, 3], [0, 1], 3)
    with pytest.raises(ValueError, match='ground-truth labels but'):
        confusion_matrix([0, 1], [0], 3)


def test_mcc_equals_the_correlation_of_one_hot_labels():
    """Gorodkin's R_K = cov(X, Y) / sqrt(cov(X, X) cov(Y, Y)); binary: the TP/TN/FP/FN formula."""
    from endommlab.evaluation.functional import confusion_matrix, multiclass_scores
    rng = np.random.default_rng(0)
    for k in (2, 5, 23):
        gt = rng.integers(0, k, 300)
        pred = np.where(rng.random(300) < 0.6, gt, rng.integers(0, k, 300))
        x, y = np.eye(k)[gt], np.eye(k)[pred]
        cov = lambda a, b: ((a - a.mean(0)) * (b - b.mean(0))).sum()  # noqa: E731
        expected = cov(x, y) / np.sqrt(cov(x, x) * cov(y, y))
        assert multiclass_scores(confusion_matrix(gt, pred, k))['mcc'] == pytest.approx(expected)
        if k == 2:
            tp = np.sum((gt == 1) & (pred == 1))
            tn = np.sum((gt == 0) & (pred == 0))
            fp = np.sum((gt == 0) & (pred == 1))
            fn = np.sum((gt == 1) & (pred == 0))
            den = float((tp + fp) * (tp + fn) * (tn + fp) * (tn + fn))
            binary = (tp * tn - fp * fn) / np.sqrt(den)
            assert multiclass_scores(confusion_matrix(gt, pred, 2))['mcc'] == pytest.approx(binary)


def test_metric_reports_raw_scores_head_accuracy_and_confusion_picture(tmp_path):
    from mmengine.visualization import Visualizer

    import endommlab  # noqa: F401
    from endommlab.datasets.hyperkvasir_labels import RAW_CLASSES
    from endommlab.evaluation import MultiHeadClsMetric
    Visualizer.get_instance('test_hybrid_metric', vis_backends=[dict(type='LocalVisBackend')],
                            save_dir=str(tmp_path))
    metric = MultiHeadClsMetric(plot_confusion_matrix=True)
    metric.dataset_meta = dict(classes=RAW_CLASSES)
    gt, pred = [0, 0, 1, 1, 2, 2, 2], [0, 1, 1, 1, 2, 0, 2]
    samples = [dict(gt_label=torch.tensor([g]), pred_label=torch.tensor([p]),
                    gt_label_macro=g, pred_label_macro=torch.tensor([0]),
                    gt_label_ulcer=1, pred_label_ulcer=torch.tensor([1])) for g, p in zip(gt, pred)]
    metric.process({}, samples)
    out = metric.evaluate(len(samples))
    assert out['cls/mcc'] == pytest.approx(19 / 32) and out['cls/accuracy'] == pytest.approx(5 / 7)
    assert out['cls/precision_macro'] == pytest.approx((1 / 2 + 2 / 3 + 1) / 3)
    assert out['cls/macro_head_accuracy'] == pytest.approx(2 / 7)
    assert out['cls/ulcer_head_accuracy'] == 1.0 and 'cls/oesophagus_head_accuracy' not in out
    pictures = glob.glob(str(tmp_path / 'vis_data' / 'vis_image' / 'confusion_matrix_*.png'))
    assert len(pictures) == 1 and osp.getsize(pictures[0]) > 10000


# ----------------------------------------------------------------------------- tools
def small_run_options(root: str, checkpoints: bool = True) -> list:
    """--cfg-options: generated tree, 64x64, batch 2, 4 training images (2 iterations)."""
    opts = ['model.backbone.init_cfg=None', 'train_cfg.max_epochs=1',
            'default_hooks.logger.interval=1',
            'train_dataloader.dataset.indices=4', 'val_dataloader.dataset.indices=2',
            'test_dataloader.dataset.indices=8']
    if not checkpoints:  # spare writing ~0.5 GB per ResNet-152 checkpoint
        opts.append('default_hooks.checkpoint=None')
    for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        opts += [f'{loader}.dataset.data_root={root}', f'{loader}.dataset.pipeline.1.scale=(64,64)',
                 f'{loader}.batch_size=2', f'{loader}.num_workers=0',
                 f'{loader}.persistent_workers=False']
    return opts


def train_small(name: str, root: str, work_dir: str, checkpoints: bool = True) -> str:
    proc = run_tool('tools/train.py', osp.join(CONFIG_DIR, name), '--work-dir', work_dir,
                    '--cfg-options', *small_run_options(root, checkpoints))
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    log = proc.stdout + proc.stderr
    assert 'Epoch(train) [1][2/2]' in log and 'cls/mcc' in log and 'cls/f1_macro' in log
    assert osp.isfile(osp.join(work_dir, 'epoch_1.pth')) == checkpoints
    return log


@pytest.fixture(scope='module')
def mobilenet_hybrid_run(hk_tree, tmp_path_factory):
    """MobileNetV3 w. raw: two training iterations through tools/train.py (work dir, log)."""
    work_dir = str(tmp_path_factory.mktemp('mobilenet_hybrid'))
    return work_dir, train_small(HYBRID['mobilenetv3'], hk_tree, work_dir)


def check_hybrid_run(work_dir: str, log: str) -> None:
    from endommlab.utils import safe_torch_load
    for head in ('raw', *AUX):
        assert f'loss_{head}' in log and f'accuracy_{head}' in log
    assert all(f'cls/{n}_head_accuracy' in log for n in AUX)
    trimmed = safe_torch_load(osp.join(work_dir, 'trimmed.pth'))  # weights_only=True
    assert not any('aux' in k for k in trimmed['state_dict'])
    assert {'head.fc.weight', 'head.fc.bias'} <= set(trimmed['state_dict'])
    if osp.isfile(osp.join(work_dir, 'epoch_1.pth')):
        full = safe_torch_load(osp.join(work_dir, 'epoch_1.pth'))['state_dict']
        assert set(full) - set(trimmed['state_dict']) == {
            f'head.aux_fcs.{n}.{p}' for n in AUX for p in ('weight', 'bias')}
        assert all(torch.equal(v, full[k]) for k, v in trimmed['state_dict'].items())
    assert trimmed['meta']['dataset_meta']['classes'][8] == 'normal-cecum'
    assert Config.fromfile(osp.join(work_dir, 'trimmed.py')).model.head.type == 'LinearClsHead'


@pytest.mark.slow
def test_two_training_iterations_mobilenet_hybrid(mobilenet_hybrid_run):
    check_hybrid_run(*mobilenet_hybrid_run)


@pytest.mark.slow
@pytest.mark.parametrize('name', [RAW['mobilenetv3'], HYBRID['resnet152'], RAW['resnet152']])
def test_two_training_iterations(name, hk_tree, tmp_path):
    work_dir = str(tmp_path / 'work')
    log = train_small(name, hk_tree, work_dir, checkpoints=False)
    if name in RAW.values():
        assert 'loss_macro' not in log and not osp.exists(osp.join(work_dir, 'trimmed.pth'))
    else:
        check_hybrid_run(work_dir, log)


@pytest.mark.slow
def test_trimmed_model_tests_like_the_untrimmed_one(mobilenet_hybrid_run, hk_tree, tmp_path):
    """Trim tool + tools/test.py: the untrimmed raw scores on every image; Fig. 3 picture."""
    from mmengine.dataset import pseudo_collate
    from mmengine.registry import init_default_scope
    from mmengine.runner import load_checkpoint
    from mmpretrain.registry import DATASETS

    import endommlab  # noqa: F401
    init_default_scope('mmpretrain')
    work_dir, _ = mobilenet_hybrid_run
    cfg_file = osp.join(CONFIG_DIR, HYBRID['mobilenetv3'])
    ckpt = osp.join(work_dir, 'epoch_1.pth')
    proc = run_tool('tools/model_converters/trim_classifier.py', cfg_file, ckpt,
                    '--out-dir', str(tmp_path / 'trim'))
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert 'parameters: 2,994,055 (untrimmed: 3,017,119)' in proc.stdout
    out = str(tmp_path / 'trimmed.pkl')
    proc = run_tool('tools/test.py', str(tmp_path / 'trim' / 'epoch_1_trimmed.py'),
                    str(tmp_path / 'trim' / 'epoch_1_trimmed.pth'),
                    '--work-dir', str(tmp_path / 'test'), '--out', out,
                    '--cfg-options', *small_run_options(hk_tree))
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert 'cls/mcc' in proc.stdout + proc.stderr
    assert glob.glob(str(tmp_path / 'test' / '*' / 'vis_data' / 'vis_image' /
                         'confusion_matrix_0.png'))
    with open(out, 'rb') as f:
        trimmed_scores = torch.stack([r['pred_score'] for r in pickle.load(f)])
    cfg = config(HYBRID['mobilenetv3'])  # the untrimmed checkpoint, in-process, same images
    ds_cfg = copy.deepcopy(cfg.test_dataloader.dataset)
    ds_cfg.update(data_root=hk_tree, indices=8)
    ds_cfg.pipeline[1].scale = (64, 64)
    dataset = DATASETS.build(ds_cfg)
    model = build_model(cfg)
    load_checkpoint(model, ckpt, map_location='cpu')
    model.eval()
    with torch.no_grad():
        scores = torch.stack([model.test_step(pseudo_collate([dataset[i]]))[0].pred_score
                              for i in range(len(dataset))])
    assert scores.shape == trimmed_scores.shape == (8, 23)
    assert torch.allclose(scores, trimmed_scores, atol=1e-6, rtol=0)
