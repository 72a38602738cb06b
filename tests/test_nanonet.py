"""NanoNet (Jha et al., CBMS 2021): encoder, decoder, loss, recipe, converter, training."""
import glob
import importlib.util
import os.path as osp
import warnings

import cv2
import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmseg.registry import MODELS

import endommlab  # noqa: F401  (registers the components)
from endommlab.engine.hooks import TrainEarlyStoppingHook
from endommlab.errors import ConfigError
from endommlab.evaluation.metrics import DiceLossMetric
from endommlab.models import BatchDiceLoss, NanoNetHead, NanoNetMobileNetV2, NanoNetResidualBlock
from endommlab.models.backbones.nanonet_mobilenet_v2 import keras_make_divisible, tf_same_pad
from endommlab.utils import keras_param_count
from conftest import REPO, run_tool

CONFIGS = {v: glob.glob(osp.join(REPO, 'configs', 'nanonet', f'nanonet-{v}_*[0-9]_1xb16*.py'))[0]
           for v in 'abc'}
#: The same recipes from random initialisation (BN momentum 0.1).
SCRATCH = {v: glob.glob(osp.join(REPO, 'configs', 'nanonet', f'nanonet-{v}_*-scratch_1xb16*.py'))[0]
           for v in 'abc'}
#: NanoNet-A's bfloat16 recipes with their first epochs at 192x192 (45 and 150 minutes).
PROGRESSIVE = sorted(glob.glob(osp.join(
    REPO, 'configs', 'nanonet', 'nanonet-a_*-bf16-progressive_kvasir-seg-256x256.py')))
#: Keras ``model.summary()`` totals of the paper's tables (released-code shortcut).
PAPER_PARAMS = {'a': 235_425, 'b': 132_049, 'c': 36_561}
#: Tools run single-threaded: on a shared 2-core machine two threads per process oversubscribe.
ONE_THREAD = {'OMP_NUM_THREADS': '1'}


def build_model(variant: str, **head_options) -> torch.nn.Module:
    cfg = Config.fromfile(CONFIGS[variant])
    cfg.model.backbone.init_cfg = None
    cfg.model.decode_head.update(head_options)
    init_default_scope('mmseg')
    return MODELS.build(cfg.model)


def test_keras_make_divisible():
    # Keras: 32 * 0.35 = 11.2 rounds to 8, which is < 0.9 * 11.2, so 16; int(24 * 0.35) = 8
    assert keras_make_divisible(32 * 0.35) == 16
    assert keras_make_divisible(int(24 * 0.35)) == 8
    assert keras_make_divisible(int(32 * 0.5)) == 16
    assert keras_make_divisible(int(64 * 0.35)) == 24


@pytest.mark.parametrize('alpha,channels', [(0.5, [3, 48, 96, 96]), (0.35, [3, 48, 48, 96])])
def test_encoder_features(alpha, channels):
    encoder = NanoNetMobileNetV2(alpha=alpha)
    assert encoder.out_channels == channels
    with torch.no_grad():
        feats = encoder(torch.rand(2, 3, 64, 64))
        odd = encoder(torch.rand(1, 3, 65, 65))
    assert [tuple(f.shape) for f in feats] == [(2, c, 64 // s, 64 // s)
                                               for c, s in zip(channels, (1, 2, 4, 8))]
    # expand_relu outputs are ReLU6 activations; the network stops at block 6's expansion
    assert all(0 <= float(f.min()) and float(f.max()) <= 6 for f in feats[1:])
    assert len(encoder.blocks) == 7 and encoder.blocks[6].expand_only
    # TensorFlow 'same' padding: odd sizes round up (65 -> 33 -> 17 -> 9)
    assert [f.shape[-1] for f in odd] == [65, 33, 17, 9]


def test_encoder_rejects_unknown_layer():
    with pytest.raises(ConfigError, match='block_<i>_expand_relu'):
        NanoNetMobileNetV2(out_layers=('block_6_project_BN', ))


@pytest.mark.parametrize('variant', 'abc')
def test_parameter_counts(variant):
    released = build_model(variant, shortcut='bn')
    assert keras_param_count(released) == PAPER_PARAMS[variant]
    paper = build_model(variant)  # the configs' default: the paper's conv shortcut
    head = paper.decode_head
    # a conv shortcut adds in_channels * n + n weights (the BN has the same size in both forms)
    extra = sum(b.shortcut.conv.weight.numel() + b.shortcut.conv.bias.numel()
                for b in [head.bridge, *head.blocks])
    assert keras_param_count(paper) == PAPER_PARAMS[variant] + extra
    assert keras_param_count(paper) == {'a': 310_593, 'b': 179_473, 'c': 45_833}[variant]
    trainable = {'a': 230_737, 'b': 128_321, 'c': 34_073}[variant]
    assert sum(p.numel() for p in released.parameters()) == trainable


@pytest.mark.parametrize('size', [64, 60])
def test_decoder_output_shape(size):
    model = build_model('c').eval()
    with torch.no_grad():
        logits = model(torch.rand(2, 3, size, size), mode='tensor')
    assert logits.shape == (2, 1, size, size)
    # multi-class form: num_classes softmax channels, trained by the same batch Dice loss
    head = NanoNetHead(48, (32, 24, 16), in_channels=model.backbone.out_channels, num_classes=3,
                       loss_decode=dict(type='BatchDiceLoss'))
    logits = head(model.backbone(torch.rand(2, 3, size, size)))
    assert logits.shape == (2, 3, size, size)
    loss = head.loss_decode(logits, torch.randint(0, 3, (2, size, size)))
    loss.backward()
    assert 0 < loss.item() < 1 and head.conv_seg.weight.grad.abs().sum() > 0


def _expected_block_output(block: NanoNetResidualBlock, x: torch.Tensor) -> torch.Tensor:
    residual = block.conv3(block.conv2(block.conv1(x)))
    shortcut = block.shortcut(x) if block.shortcut_type == 'conv' else block.shortcut(residual)
    z = torch.relu(residual + shortcut)
    squeezed = torch.relu(z.mean((2, 3)) @ block.se_squeeze.weight.T)
    w = torch.sigmoid(squeezed @ block.se_excite.weight.T)
    return z * w[:, :, None, None]


def test_released_and_paper_blocks_differ_only_in_shortcut():
    torch.manual_seed(0)
    paper = NanoNetResidualBlock(24, 32, shortcut='conv').eval()
    released = NanoNetResidualBlock(24, 32, shortcut='bn').eval()
    p_state, r_state = paper.state_dict(), released.state_dict()
    shared = [k for k in p_state if not k.startswith('shortcut.')]
    assert shared == [k for k in r_state if not k.startswith('shortcut.')]
    assert sorted(k for k in p_state if k.startswith('shortcut.')) == sorted(
        ['shortcut.conv.weight', 'shortcut.conv.bias'] + [
            f'shortcut.bn.{k}' for k in ('weight', 'bias', 'running_mean', 'running_var',
                                         'num_batches_tracked')])
    assert sorted(k for k in r_state if k.startswith('shortcut.')) == [
        f'shortcut.{k}' for k in ('bias', 'num_batches_tracked', 'running_mean', 'running_var',
                                  'weight')]
    for block in (paper, released):  # give the BNs non-trivial statistics
        for m in block.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                m.running_mean.uniform_(-0.5, 0.5)
                m.running_var.uniform_(0.5, 2.0)
    released.load_state_dict({**r_state, **{k: p_state[k] for k in shared}})
    x = torch.randn(2, 24, 8, 8)
    with torch.no_grad():
        for block in (paper, released):
            assert torch.allclose(block(x), _expected_block_output(block, x), atol=1e-6)
        assert not torch.allclose(paper(x), released(x))
        # with the shortcut removed from both, the blocks compute the same function (the
        # released BN' outputs zero with zero affine parameters: evaluation mode folds it
        # into one batch norm instead of calling the module)
        zero = lambda module, inputs, output: torch.zeros_like(output)  # noqa: E731
        hook = paper.shortcut.register_forward_hook(zero)
        released.shortcut.weight.zero_()
        released.shortcut.bias.zero_()
        assert torch.allclose(paper(x), released(x), atol=1e-6)
        hook.remove()


@pytest.mark.parametrize('training', [True, False])
@pytest.mark.parametrize('shortcut', ['conv', 'bn'])
@pytest.mark.parametrize('size', [64, 60])
def test_decoder_step_equals_upsample_then_concatenate(shortcut, size, training):
    """``block(x, skip)`` is Fig. 1's ``Res(cat([up(x), skip]))``: values and gradients
    (in float64, so that only the summation order differs), in training mode and in
    evaluation mode (frozen batch norms folded into the split convolutions)."""
    torch.manual_seed(0)
    block = NanoNetResidualBlock(48 + 16, 32, shortcut=shortcut).double().train(training)
    for m in block.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            m.running_mean.uniform_(-0.5, 0.5)
            m.running_var.uniform_(0.5, 2.0)
            m.weight.data.uniform_(0.5, 1.5)
            m.bias.data.uniform_(-0.5, 0.5)
    low = torch.randn(2, 48, size // 2, size // 2, dtype=torch.float64, requires_grad=True)
    skip = torch.randn(2, 16, size, size, dtype=torch.float64, requires_grad=True)
    params = [low, skip, *block.parameters()]
    split = block(low, skip)
    up = torch.nn.functional.interpolate(low, size=(size, size), mode='bilinear',
                                         align_corners=False)
    naive = block(torch.cat([up, skip], dim=1))
    assert torch.allclose(split, naive, rtol=1e-10, atol=1e-10)
    split_grads = torch.autograd.grad((split * naive.detach()).sum(), params)
    naive_grads = torch.autograd.grad((naive * naive.detach()).sum(), params)
    for a, b in zip(split_grads, naive_grads):
        assert torch.allclose(a, b, rtol=1e-9, atol=1e-9)


def test_residual_block_rejects_bad_options():
    with pytest.raises(ConfigError, match='shortcut'):
        NanoNetResidualBlock(8, 32, shortcut='identity')
    with pytest.raises(ConfigError, match='se_ratio'):
        NanoNetResidualBlock(8, 8)  # 8 // 16 = 0 squeeze units
    with pytest.raises(ConfigError, match='one input more'):
        NanoNetHead(48, (32, 24), num_classes=2, out_channels=1, threshold=0.5)


def test_batch_dice_loss_matches_hand_computation():
    logits = torch.tensor([[[[0.0, 2.0], [-1.0, 3.0]]], [[[1.0, -2.0], [0.5, 0.0]]]])
    labels = torch.tensor([[[0, 1], [1, 1]], [[1, 0], [255, 0]]])
    p = [1 / (1 + np.exp(-v)) for v in (0.0, 2.0, -1.0, 3.0, 1.0, -2.0, 0.0)]  # 255 left out
    y = [0, 1, 1, 1, 1, 0, 0]
    inter = sum(a * b for a, b in zip(p, y))
    expected = 1 - (2 * inter + 1e-15) / (sum(y) + sum(p) + 1e-15)
    loss = BatchDiceLoss()(logits, labels)
    assert float(loss) == pytest.approx(expected, rel=1e-6)
    # over the batch, not the mean of per-image losses
    per_image = np.mean([float(BatchDiceLoss()(logits[i:i + 1], labels[i:i + 1]))
                         for i in range(2)])
    assert float(loss) != pytest.approx(per_image, rel=1e-3)
    # two-channel softmax form: one-hot targets over both channels
    two = torch.cat([torch.zeros_like(logits), logits], 1)
    prob = two.softmax(1)
    valid = (labels != 255)
    onehot = torch.stack([(labels == 0) & valid, (labels == 1) & valid], 1).float()
    prob = prob * valid[:, None]
    expected2 = 1 - 2 * (prob * onehot).sum() / (onehot.sum() + prob.sum())
    assert float(BatchDiceLoss()(two, labels)) == pytest.approx(float(expected2), rel=1e-6)


def test_batch_dice_loss_is_finite_and_decreases():
    torch.manual_seed(0)
    labels = (torch.rand(2, 16, 16) > 0.7).long()
    logits = torch.zeros(2, 1, 16, 16, requires_grad=True)
    optimizer = torch.optim.Adam([logits], lr=0.1)
    losses = []
    for _ in range(20):
        loss = BatchDiceLoss()(logits, labels)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    assert all(np.isfinite(losses)) and losses[-1] < 0.5 * losses[0]
    ignored = BatchDiceLoss()(torch.zeros(1, 1, 4, 4), torch.full((1, 4, 4), 255))
    assert float(ignored) == 0.0  # nothing left to score: eps / eps


def test_dice_loss_metric_matches_hand_computation():
    probs = torch.tensor([[[0.9, 0.2], [0.6, 0.1]]])
    gt = torch.tensor([[[1, 0], [1, 255]]])
    metric = DiceLossMetric()
    metric.process({}, [dict(seg_logits=dict(data=probs), gt_sem_seg=dict(data=gt)),
                        dict(seg_logits=dict(data=torch.zeros(1, 2, 2)),
                             gt_sem_seg=dict(data=torch.zeros(1, 2, 2, dtype=torch.long)))])
    first = 1 - (2 * (0.9 + 0.6) + 1e-15) / (2 + 0.9 + 0.2 + 0.6 + 1e-15)
    result = metric.compute_metrics(metric.results)
    assert result['dice_loss'] == pytest.approx((first + 0.0) / 2, rel=1e-6)


def test_plateau_schedule_and_early_stopping_follow_keras():
    """Keras cuts the lr after 10 epochs without improvement and stops after 20."""
    from mmengine.optim import OptimWrapper
    from mmengine.registry import OPTIMIZERS, PARAM_SCHEDULERS
    cfg = Config.fromfile(CONFIGS['a'])
    param = torch.nn.Parameter(torch.zeros(1))
    optimizer = OptimWrapper(OPTIMIZERS.build(dict(cfg.optim_wrapper.optimizer, params=[param])))
    assert type(optimizer.optimizer).__name__ == 'NAdam'
    scheduler = PARAM_SCHEDULERS.build(dict(cfg.param_scheduler[0], optimizer=optimizer))
    scheduler.step({'val/dice_loss': 0.5})
    lrs = []
    for _ in range(10):
        scheduler.step({'val/dice_loss': 0.5 - 5e-5})  # below Keras' min_delta 1e-4
        lrs.append(optimizer.param_groups[0]['lr'])
    assert lrs[:9] == [1e-4] * 9 and lrs[9] == pytest.approx(1e-5)
    hook_cfg = dict(cfg.custom_hooks[0])
    assert hook_cfg.pop('type') == 'TrainEarlyStoppingHook'
    hook = TrainEarlyStoppingHook(**hook_cfg)
    stops = [hook._check_stop_condition(v)[0] for v in [0.5] + [0.6] * 5]
    checkpoint = {}  # a resumed run continues the count
    hook.before_save_checkpoint(None, checkpoint)
    hook = TrainEarlyStoppingHook(**hook_cfg)
    hook.after_load_checkpoint(None, checkpoint)
    stops += [hook._check_stop_condition(0.6)[0] for _ in range(15)]
    assert stops == [False] * 20 + [True]


def test_train_augmentations_apply_without_warnings(kvasir_small):
    from mmseg.datasets.transforms import Albu
    cfg = Config.fromfile(CONFIGS['a'])
    stem = open(osp.join(kvasir_small, 'splits', 'train.txt')).readline().strip()
    img = cv2.resize(cv2.imread(osp.join(kvasir_small, 'images', stem + '.jpg')), (64, 64))
    mask = cv2.resize(cv2.imread(osp.join(kvasir_small, 'masks', stem + '.png'), 0), (64, 64),
                      interpolation=cv2.INTER_NEAREST)
    assert mask.max() == 1
    for t in cfg.albu_transforms:
        t = dict(t, p=1.0)
        if t['type'] == 'RandomResizedCrop':
            t['size'] = (64, 64)
        with warnings.catch_warnings():
            warnings.simplefilter('error')
            out = Albu(transforms=[t])(dict(img=img.copy(), gt_seg_map=mask.copy()))
        assert out['img'].shape == img.shape and out['gt_seg_map'].shape == mask.shape, t['type']
        assert not np.array_equal(out['img'], img), f"{t['type']} left the image unchanged"
        assert set(np.unique(out['gt_seg_map'])) <= {0, 1}, t['type']


def _load_converter():
    path = osp.join(REPO, 'tools', 'model_converters', 'keras_mobilenet_v2.py')
    spec = importlib.util.spec_from_file_location('keras_mobilenet_v2', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _tf_conv(x: np.ndarray, kernel: np.ndarray, stride: int, depthwise: bool) -> np.ndarray:
    """TensorFlow NHWC convolution, padding 'same' (extra row/column at the end)."""
    k = kernel.shape[0]
    h = x.shape[1]
    out_h = -(-h // stride)
    total = max((out_h - 1) * stride + k - h, 0)
    x = np.pad(x, ((0, 0), (total // 2, total - total // 2), (total // 2, total - total // 2),
                   (0, 0)))
    out = 0
    for i in range(k):
        for j in range(k):
            patch = x[:, i:i + stride * out_h:stride, j:j + stride * out_h:stride, :]
            out = out + (patch * kernel[i, j, :, 0] if depthwise else patch @ kernel[i, j])
    return out


def test_keras_weight_converter_reproduces_keras_layers():
    converter = _load_converter()
    rng = np.random.default_rng(0)
    model = NanoNetMobileNetV2(alpha=0.35).eval()
    weights = {}  # Keras layout and names, as read from the .h5 file
    for key, value in model.state_dict().items():
        if key.endswith('num_batches_tracked'):
            continue
        module, variable = key.rsplit('.', 1)
        parts = module.split('.')
        if parts[0] == 'conv1':
            layer = 'Conv1' if parts[1] == 'conv' else 'bn_Conv1'
        else:
            prefix = 'expanded_conv' if parts[1] == '0' else f'block_{parts[1]}'
            layer = f"{prefix}_{parts[2]}{'_BN' if parts[3] == 'bn' else ''}"
        shape = tuple(value.shape)
        if variable == 'weight' and len(shape) == 4:
            is_dw = parts[-2] == 'depthwise'
            name = 'depthwise_kernel' if is_dw else 'kernel'
            keras_shape = (shape[2], shape[3], shape[0], 1) if is_dw else (
                shape[2], shape[3], shape[1], shape[0])
        else:
            name = {'weight': 'gamma', 'bias': 'beta', 'running_mean': 'moving_mean',
                    'running_var': 'moving_variance'}[variable]
            keras_shape = shape
        array = rng.uniform(0.5, 1.5, keras_shape) if name == 'moving_variance' else \
            rng.normal(0, 0.5, keras_shape)
        weights[f'{layer}/{name}:0'] = array.astype(np.float32)
    weights['Conv_1/kernel:0'] = np.zeros((1, 1, 320, 1280), np.float32)  # deeper: left out
    state, unused = converter.convert(weights, model)
    assert unused == ['Conv_1/kernel:0']
    model.load_state_dict(state, strict=True)

    x = rng.uniform(0, 1, (1, 9, 9, 3)).astype(np.float32)  # odd: TF pads 1 on each side
    g, b, m, v = (weights[f'bn_Conv1/{n}:0']
                  for n in ('gamma', 'beta', 'moving_mean', 'moving_variance'))
    keras = np.clip((_tf_conv(x, weights['Conv1/kernel:0'], 2, False) - m) / np.sqrt(v + 1e-3)
                    * g + b, 0, 6)
    with torch.no_grad():
        ours = model.conv1(_tf_padded(x)).permute(0, 2, 3, 1).numpy()
    np.testing.assert_allclose(ours, keras, atol=1e-5)

    y = rng.normal(0, 1, (1, 8, 8, 48)).astype(np.float32)  # even: TF pads bottom/right only
    keras_dw = _tf_conv(y, weights['block_1_depthwise/depthwise_kernel:0'], 2, True)
    with torch.no_grad():
        ours_dw = model.blocks[1].depthwise.conv(_tf_padded(y)).permute(0, 2, 3, 1).numpy()
    np.testing.assert_allclose(ours_dw, keras_dw, atol=1e-5)


def _tf_padded(x_nhwc: np.ndarray) -> torch.Tensor:
    """An NHWC array as NCHW, padded as the encoder pads before a stride-2 3x3 conv."""
    return tf_same_pad(torch.from_numpy(x_nhwc).permute(0, 3, 1, 2).contiguous(), 3, 2)


def _train_args(config: str, data_root: str, work_dir: str, size: int = 64) -> list:
    loaders = ('train_dataloader', 'val_dataloader', 'test_dataloader')
    return ['tools/train.py', config, '--work-dir', work_dir, '--cfg-options',
            'train_cfg.max_epochs=1',
            'train_dataloader.batch_size=8',  # 16 training images: two iterations
            f'train_dataloader.dataset.pipeline.2.scale=({size},{size})',
            f'train_dataloader.dataset.pipeline.3.transforms.0.size=({size},{size})',
            f'val_dataloader.dataset.pipeline.1.scale=({size},{size})',
            'default_hooks.logger.interval=1'] + [
        f'{loader}.{key}' for loader in loaders for key in (
            f'dataset.data_root={data_root}', 'num_workers=0', 'persistent_workers=False')]


@pytest.mark.slow
@pytest.mark.parametrize('variant', 'abc')
def test_two_training_iterations_on_kvasir(variant, kvasir_small, tmp_path):
    work_dir = str(tmp_path / variant)
    result = run_tool(*_train_args(SCRATCH[variant], kvasir_small, work_dir), env=ONE_THREAD)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    log = result.stdout + result.stderr
    assert 'Epoch(train) [1][2/2]' in log
    losses = [float(line.split('decode.loss_dice: ')[1].split()[0])
              for line in log.splitlines() if 'decode.loss_dice: ' in line]
    assert len(losses) == 2 and all(0 < x < 1 for x in losses)
    assert 'val/dice_loss' in log and 'polyp/dice' in log
    assert glob.glob(osp.join(work_dir, 'best_val_dice_loss_epoch_1.pth'))
    if variant == 'c':
        # saved after the training epoch, before its validation: nothing counted yet
        checkpoint = torch.load(osp.join(work_dir, 'epoch_1.pth'), weights_only=True)
        assert checkpoint['meta']['early_stopping'] == dict(
            monitor='val/dice_loss', wait_count=0, best_score=float('inf'))
        test = run_tool('tools/test.py', SCRATCH[variant],
                        osp.join(work_dir, 'best_val_dice_loss_epoch_1.pth'), '--cfg-options',
                        f'test_dataloader.dataset.data_root={kvasir_small}',
                        'test_dataloader.num_workers=0', 'test_dataloader.persistent_workers=False',
                        'test_dataloader.dataset.pipeline.1.scale=(64,64)',
                        '--work-dir', str(tmp_path / 'test'), env=ONE_THREAD)
        assert test.returncode == 0, test.stdout[-3000:] + test.stderr[-3000:]
        assert 'Epoch(test) [8/8]' in test.stdout + test.stderr


@pytest.mark.parametrize('config', PROGRESSIVE, ids=osp.basename)
def test_progressive_config_trains_small_then_switches_to_full_size(config, kvasir_small):
    """The bfloat16 progressive configs: 192x192 for their first epochs, then 256x256."""
    import logging
    from types import SimpleNamespace

    from mmengine.registry import HOOKS
    from mmseg.registry import DATASETS
    cfg = Config.fromfile(config)
    assert cfg.optim_wrapper.type == 'CPUAutocastOptimWrapper'
    init_default_scope('mmseg')
    dataset = DATASETS.build(dict(cfg.train_dataloader.dataset, data_root=kvasir_small))
    switch = HOOKS.build(cfg.custom_hooks[-1])
    runner = SimpleNamespace(train_dataloader=SimpleNamespace(dataset=dataset),
                             logger=logging.getLogger(__name__))
    for epoch, size in ((0, 192), (cfg.small_epochs - 1, 192), (cfg.small_epochs, 256)):
        runner.epoch = epoch
        switch.before_train_epoch(runner)
        sample = dataset[0]
        assert sample['inputs'].shape == (3, size, size)
        assert sample['data_samples'].gt_sem_seg.shape == (size, size)


@pytest.mark.parametrize('by_epoch', [True, False])
def test_validation_dice_loss_is_logged_per_epoch_not_smoothed(by_epoch):
    """Measured: epoch 2 logged val/dice_loss 0.5736, the mean of epochs 1 and 2 (0.622, 0.525).

    Iteration-based runs (``by_epoch=False``) must build the processor as well.
    """
    from types import SimpleNamespace

    from mmengine.logging import MessageHub
    from mmengine.registry import LOG_PROCESSORS
    cfg = Config.fromfile(SCRATCH['a'])
    processor = LOG_PROCESSORS.build(dict(cfg.log_processor, by_epoch=by_epoch))
    hub = MessageHub.get_instance(f'dice-loss-log-test-{by_epoch}')
    runner = SimpleNamespace(message_hub=hub, epoch=0, iter=0, _train_loop=SimpleNamespace(),
                             val_loop=SimpleNamespace(dataloader=[None] * 3))
    for epoch, value in enumerate((0.6220, 0.5251), start=1):
        runner.epoch = epoch
        # RuntimeInfoHook stores the metric 'val/dice_loss' as 'val/' + key
        hub.update_scalar('val/val/dice_loss', value)
        hub.update_scalar('val/time', 0.1)
        tag, log = processor.get_log_after_epoch(runner, 3, 'val')
    assert tag['val/dice_loss'] == pytest.approx(0.5251) and 'val/dice_loss: 0.5251' in log
