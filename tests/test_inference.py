"""Inference API, tools/infer.py, ONNX export and ONNX Runtime / TorchScript parity on real
Kvasir-SEG images.

Checkpoints are randomly initialised models whose last layer is rescaled so that the polyp
logit on a real image has median 0 and a spread of about 2: random weights alone give an
almost flat probability map, on which a mask comparison would prove nothing.
"""
import glob
import json
import os.path as osp

import cv2
import numpy as np
import pytest
import torch
from mmengine.config import Config
from scipy.special import expit

from endommlab.apis import InferenceInput, PolypInferencer, inference_model, init_model, load_config
from endommlab.deployment import (POLYP_LOGITS, DeployModel, DeployWrapper, ONNXRuntimeModel,
                                  deploy_meta, export_onnx)
from endommlab.engine.hooks import save_trimmed
from endommlab.errors import ConfigError, DataError
from endommlab.models.segmentors import DivergentNets
from conftest import REPO, run_tool, tool_main

pytest.importorskip('onnxruntime')

NANONET = {v: glob.glob(osp.join(REPO, 'configs', 'nanonet', f'nanonet-{v}_*[0-9]_1xb16*.py'))[0]
           for v in 'abc'}  # the paper's configs (not the -scratch ones)
RA = osp.join(REPO, 'configs', 'reverse_attention',
              '{}_res2net50-v1b_1xb16-20e_kvasir-seg-512x512.py')
DIVERGENT = osp.join(REPO, 'configs', 'divergentnets', '{}_se-resnext50_kvasir-256x256.py')
CLS = osp.join(REPO, 'configs', 'hybrid_loss_classifier', '{}_hyperkvasir.py')
SMALL = 64  # parity size of the large models (NanoNet: its own 256)
#: Segmentation configs exported in the parity test, with their input size.
SEG_CONFIGS = dict(
    **{f'nanonet-{v}': (path, 256) for v, path in NANONET.items()},
    **{name: (RA.format(name), SMALL) for name in ('ra-brp', 'ra-brp-pp', 'ra-bp', 'ra-br')},
    **{name: (DIVERGENT.format(name), SMALL)
       for name in ('unetpp', 'fpn', 'deeplabv3', 'deeplabv3plus', 'triunet')})


@pytest.fixture(scope='module', autouse=True)
def one_thread():
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture(scope='module')
def kvasir_images(kvasir_src) -> list:
    """Three real Kvasir-SEG images of different sizes."""
    paths = sorted(glob.glob(osp.join(kvasir_src, 'images', '*.jpg')))
    chosen, sizes = [], set()
    for path in paths:
        shape = cv2.imread(path).shape
        if shape not in sizes:
            chosen.append(path)
            sizes.add(shape)
        if len(chosen) == 3:
            return chosen
    pytest.fail('Kvasir-SEG has fewer than three image sizes')


def sized(path: str, size: int) -> Config:
    """The config with its test resize at ``size`` x ``size``."""
    return load_config(path, {'test_dataloader.dataset.pipeline.1.scale': (size, size)})


def spread_polyp_logits(model: torch.nn.Module, x: torch.Tensor) -> None:
    """Rescale the last layer so the polyp logit on ``x`` has median 0, std about 2."""
    if isinstance(model, DivergentNets):  # ensemble: each member on its own input
        for member in model.members:
            spread_polyp_logits(member, member.data_preprocessor(dict(inputs=list(x)))['inputs'])
        return
    head = getattr(model, 'segmentor', model).decode_head
    with torch.no_grad():
        logit = DeployWrapper(model, POLYP_LOGITS)(x)
        median, scale = logit.median(), 2 / logit.std()
        if getattr(head, 'use_reverse_attention', False):  # the sum of the RA branches' maps
            head.ra_branches[0].out_map.norm.bias -= median  # last branch: shift its BN
            return
        conv = head.partial_decoder.out_map if hasattr(head, 'partial_decoder') else head.conv_seg
        conv.weight *= scale
        conv.bias *= scale
        conv.bias[-1] -= median * scale


def random_checkpoint(cfg: Config, image: np.ndarray, out: str) -> str:
    """A randomly initialised, logit-spread model of ``cfg`` saved in the mmengine format."""
    torch.manual_seed(0)
    model = init_model(cfg)
    if cfg.get('default_scope', 'mmseg') == 'mmseg':
        x = DeployModel(deploy_meta(model, cfg)).preprocess(image)
        spread_polyp_logits(model, torch.from_numpy(x))
    torch.save({'state_dict': model.state_dict(), 'meta': {'seed': 0}}, out)
    return out


def check_parity(cfg: Config, checkpoint: str, images: list, tmp_path, **export_args) -> dict:
    """Export, then compare ONNX Runtime with PyTorch on ``images``; returns the figures."""
    model = init_model(cfg, checkpoint)
    onnx_file = str(tmp_path / 'model.onnx')
    meta = export_onnx(model, cfg, onnx_file, **export_args)
    ort = ONNXRuntimeModel(onnx_file, cfg)
    torch_backend = PolypInferencer(cfg.filename, checkpoint, cfg_options={
        'test_dataloader.dataset.pipeline.1.scale': tuple(meta['input_size'])})
    wrapper = DeployWrapper(model, meta['output'])
    prob_diff, agreement, coverage = 0.0, [], []
    for path in images:
        image = cv2.imread(path)
        x = ort.preprocess(image)
        with torch.no_grad():
            expected = wrapper(torch.from_numpy(x)).numpy()
        got = ort.forward(x)
        if meta['output'] == POLYP_LOGITS:
            got, expected = expit(got), expit(expected)
        prob_diff = max(prob_diff, float(np.abs(got - expected).max()))
        ours, theirs = ort(image, path), torch_backend.infer(image, path)
        if meta['output'] == POLYP_LOGITS:
            assert ours.mask.shape == theirs.mask.shape == image.shape[:2]
            agreement.append(float((ours.mask == theirs.mask).mean()))
            coverage.append(float(theirs.mask.mean()))
            assert ours.pending_case == theirs.pending_case
        else:
            assert np.abs(ours.class_scores - theirs.class_scores).max() < 1e-4
            assert ours.pred_label == theirs.pred_label
    return dict(meta=meta, prob_diff=prob_diff, agreement=agreement, coverage=coverage)


@pytest.mark.slow
@pytest.mark.parametrize('name', list(SEG_CONFIGS))
def test_onnx_matches_pytorch_on_kvasir(name, kvasir_images, tmp_path):
    path, size = SEG_CONFIGS[name]
    cfg = sized(path, size)
    ckpt = random_checkpoint(cfg, cv2.imread(kvasir_images[0]), str(tmp_path / 'model.pth'))
    images = kvasir_images if size == 256 else kvasir_images[:1]  # the large models: one image
    figures = check_parity(cfg, ckpt, images, tmp_path)
    assert figures['meta']['input_size'] == [size, size]
    assert figures['prob_diff'] < 1e-4
    assert min(figures['agreement']) >= 0.999, figures
    assert all(0.01 < c < 0.99 for c in figures['coverage']), figures  # a mask worth comparing
    if name == 'ra-brp-pp':
        assert figures['meta']['reference_area'] == pytest.approx(0.004739)


def write_tiny_member(tmp_path, name: str, base: str, head: dict) -> str:
    """A DivergentNets member config with a tiny SE-ResNeXt (the real ones are 28-104 M)."""
    path = tmp_path / f'{name}.py'
    backbone = dict(type='SEResNeXtEncoder', depth=50, groups=2, width_per_group=4,
                    stem_channels=16, base_channels=8)
    path.write_text(f"_base_ = ['{DIVERGENT.format(base)}']\n"
                    f'model = dict(backbone=dict(_delete_=True, **{backbone!r}),\n'
                    f'             decode_head={head!r})\n')
    return str(path)


def test_onnx_ensemble_matches_pytorch(kvasir_images, tmp_path):
    channels = (16, 32, 64, 128, 256)
    members = [
        write_tiny_member(tmp_path, 'fpn_tiny', 'fpn', dict(in_channels=channels[1:])),
        write_tiny_member(tmp_path, 'unet_tiny', 'unetpp', dict(
            _delete_=True, type='UNetHead', in_channels=channels, num_classes=2, out_channels=1,
            threshold=0.5, loss_decode=dict(type='SingleChannelDiceLoss', use_sigmoid=True)))]
    config = tmp_path / 'ensemble.py'
    base = osp.join(REPO, 'configs', 'divergentnets', 'divergentnets_kvasir-256x256.py')
    config.write_text(
        f"_base_ = ['{base}']\n"
        f'model = dict(members=[dict(config=c) for c in {members!r}])\n')
    cfg = sized(str(config), SMALL)
    ckpt = random_checkpoint(cfg, cv2.imread(kvasir_images[0]), str(tmp_path / 'ens.pth'))
    figures = check_parity(cfg, ckpt, kvasir_images[:2], tmp_path)
    assert figures['meta']['members'] == 2
    assert figures['meta']['threshold'] == 0.5 and figures['meta']['inclusive']
    assert figures['prob_diff'] < 1e-4
    assert min(figures['agreement']) >= 0.999, figures
    assert all(0.01 < c < 0.99 for c in figures['coverage']), figures
    with pytest.raises(ConfigError, match='batch 1 only'):
        export_onnx(init_model(cfg, ckpt), cfg, str(tmp_path / 'dynamic.onnx'), dynamic_batch=True)


@pytest.mark.slow
@pytest.mark.parametrize('arch', ['mobilenetv3-large', 'resnet152'])
def test_onnx_classifiers_trimmed_and_untrimmed(arch, kvasir_images, tmp_path):
    size = 224 if arch == 'mobilenetv3-large' else SMALL
    cfg = sized(CLS.format(f'{arch}_hybrid'), size)
    ckpt = random_checkpoint(cfg, None, str(tmp_path / 'hybrid.pth'))
    untrimmed = check_parity(cfg, ckpt, kvasir_images[:2], tmp_path)
    state = torch.load(ckpt, weights_only=True)['state_dict']
    trimmed_cfg_file, trimmed_ckpt, _ = save_trimmed(cfg, state, str(tmp_path), name='trimmed')
    trimmed_cfg = sized(trimmed_cfg_file, size)
    trimmed = check_parity(trimmed_cfg, trimmed_ckpt, kvasir_images[:2], tmp_path / '..')
    for figures in (untrimmed, trimmed):
        assert figures['prob_diff'] < 1e-4
        assert figures['meta']['output'] == 'class_probabilities'
        assert len(figures['meta']['classes']) == 23
    assert untrimmed['meta']['architecture'].endswith('HybridLossHead')
    assert trimmed['meta']['architecture'].endswith('LinearClsHead')
    image = cv2.imread(kvasir_images[0])  # trimming keeps the raw head: same probabilities
    a = ONNXRuntimeModel(str(tmp_path / 'model.onnx'))(image)
    b = PolypInferencer(trimmed_cfg_file, trimmed_ckpt, cfg_options={
        'test_dataloader.dataset.pipeline.1.scale': (size, size)}).infer(image)
    assert np.abs(a.class_scores - b.class_scores).max() < 1e-4
    if arch == 'mobilenetv3-large':  # TorchScript without optimize_for_inference (torch bug)
        c = PolypInferencer(trimmed_cfg_file, trimmed_ckpt, backend='torchscript', cfg_options={
            'test_dataloader.dataset.pipeline.1.scale': (size, size)}).infer(image)
        assert np.abs(c.class_scores - b.class_scores).max() < 1e-4


# ----------------------------------------------------------------------------- NanoNet end to end

@pytest.fixture(scope='module')
def nanonet(kvasir_images, tmp_path_factory) -> dict:
    """NanoNet-C: checkpoint, ONNX export through the tool (dynamic batch), paths."""
    tmp = tmp_path_factory.mktemp('nanonet')
    ckpt = random_checkpoint(load_config(NANONET['c']), cv2.imread(kvasir_images[0]),
                             str(tmp / 'nanonet-c.pth'))
    onnx_file = str(tmp / 'nanonet-c.onnx')
    export = run_tool('tools/deployment/export_onnx.py', NANONET['c'], ckpt, '-o', onnx_file,
                      '--dynamic-batch', env=dict(OMP_NUM_THREADS='1'))
    assert export.returncode == 0, export.stderr[-3000:]
    return dict(config=NANONET['c'], ckpt=ckpt, onnx=onnx_file, tmp=tmp, export=export.stdout)


@pytest.mark.slow
def test_export_tool_metadata_and_dynamic_batch(nanonet, kvasir_images):
    assert 'input Nx3x256x256, output polyp_logits' in nanonet['export']
    import onnx
    meta = json.loads({p.key: p.value for p in onnx.load(nanonet['onnx']).metadata_props}[
        'endommlab'])
    assert meta['mean'] == [0.0, 0.0, 0.0] and meta['std'] == [255.0, 255.0, 255.0]
    assert meta['bgr_to_rgb'] and meta['threshold'] == 0.5 and meta['reference_area'] == 0.0
    assert meta['architecture'] == 'EncoderDecoder/NanoNetHead' and meta['dynamic_batch']
    ort = ONNXRuntimeModel(nanonet['onnx'])  # the file alone is enough
    batch = np.concatenate([ort.preprocess(cv2.imread(p)) for p in kvasir_images])
    together = ort.forward(batch)
    assert together.shape == (3, 1, 256, 256)
    for i in range(3):
        assert np.abs(together[i] - ort.forward(batch[i:i + 1])[0]).max() < 1e-5


@pytest.mark.slow
def test_int8_export_keeps_the_metadata_and_the_masks(nanonet, kvasir_small, kvasir_images):
    """export_onnx.py --int8: QDQ graph, metadata kept, outputs close to the float model's.

    The random model's logits are spread around the threshold (median 0), the worst case for
    masks: quantisation noise flips pixels near it. Accuracy of a trained model: docs/results.md.
    """
    import onnx
    float_file = str(nanonet['tmp'] / 'static.onnx')
    int8_file = str(nanonet['tmp'] / 'static.int8.onnx')
    export = run_tool('tools/deployment/export_onnx.py', nanonet['config'], nanonet['ckpt'], '-o',
                      float_file, '--int8', f'{kvasir_small}:train',
                      '--calibration-images', '8', env=dict(OMP_NUM_THREADS='1'))
    assert export.returncode == 0, export.stderr[-3000:]
    assert f'exported {int8_file}' in export.stdout and 'calibrated on 8 images' in export.stdout
    proto = onnx.load(int8_file)
    ops = {node.op_type for node in proto.graph.node}
    assert {'QuantizeLinear', 'DequantizeLinear'} <= ops
    meta = json.loads({p.key: p.value for p in proto.metadata_props}['endommlab'])
    assert meta['quantization']['calibration_images'] == 8
    float_model = ONNXRuntimeModel(float_file)
    assert {k: v for k, v in meta.items() if k != 'quantization'} == float_model.meta
    int8 = ONNXRuntimeModel(int8_file, load_config(nanonet['config']))
    for path in kvasir_images:
        image = cv2.imread(path)
        a, b = float_model(image), int8(image)
        assert b.mask.shape == image.shape[:2]
        x = float_model.preprocess(image)
        logits = float_model.forward(x).ravel(), int8.forward(x).ravel()
        assert np.corrcoef(*logits)[0, 1] >= 0.98  # measured 0.989-0.994
        assert (a.mask == b.mask).mean() >= 0.85  # measured 0.896-0.936


@pytest.mark.slow
def test_evaluate_onnx_scores_as_the_pytorch_evaluation(nanonet, kvasir_small):
    """evaluate_onnx.py: the exported model's EndoCV2021 scores = the generalisation tool's
    (PolypSegMetric on the PyTorch model) on 8 real Kvasir-SEG images; INT8 row beside it."""
    from endommlab.benchmark import DataSpec, ModelSpec, run_benchmark
    float_file, int8_file = (str(nanonet['tmp'] / f) for f in ('static.onnx', 'static.int8.onnx'))
    assert osp.isfile(int8_file)  # written by test_int8_export_keeps_the_metadata_and_the_masks
    out = nanonet['tmp'] / 'scores.json'
    run = run_tool('tools/deployment/evaluate_onnx.py', float_file, int8_file, '--data',
                   f'{kvasir_small}:val', '--threads', '1', '--out', str(out),
                   env=dict(OMP_NUM_THREADS='1'))
    assert run.returncode == 0, run.stderr[-3000:]
    assert f'8 images of {kvasir_small} (val)' in run.stdout
    scores = json.loads(out.read_text())['scores']
    assert set(scores) == {'static.onnx', 'static.int8.onnx'}
    ours = scores['static.onnx']
    ref = run_benchmark([ModelSpec('c', nanonet['config'], nanonet['ckpt'])],
                        [DataSpec('kvasir', kvasir_small, 'val')])[0]
    assert ours['images'] == ref['images'] == 8 and ours['agreement'] == 1.0
    for key in ('jaccard', 'dice', 'precision', 'recall', 'accuracy'):
        assert ours[key] == pytest.approx(ref[key], abs=2e-3), key
    assert 0.0 < scores['static.int8.onnx']['agreement'] <= 1.0
    bad = run_tool('tools/deployment/evaluate_onnx.py', float_file, '--data',
                   str(nanonet['tmp'] / 'missing'))
    assert bad.returncode == 2 and bad.stderr.startswith('error: data root ')
    assert 'Traceback' not in bad.stderr


def test_backends_agree_on_masks(nanonet, kvasir_images):
    results = {}
    for backend in ('pytorch', 'torchscript', 'onnxruntime'):
        ckpt = nanonet['onnx'] if backend == 'onnxruntime' else nanonet['ckpt']
        run = PolypInferencer(nanonet['config'], ckpt, backend=backend)(kvasir_images)
        results[backend] = run.results
        assert [r.name for r in run.results] == kvasir_images and not run.skipped
    fast = PolypInferencer(nanonet['config'], nanonet['onnx'], backend='onnxruntime',
                           probability=False)(kvasir_images).results  # what infer.py runs
    for full, lean in zip(results['onnxruntime'], fast):
        assert lean.probability is None and np.array_equal(lean.mask, full.mask)
        assert lean.score == pytest.approx(full.score, abs=1e-6)
    for ref, ts, ort in zip(*results.values()):
        assert ref.mask.shape == cv2.imread(ref.name).shape[:2]
        assert 0.01 < ref.mask.mean() < 0.99
        assert (ts.mask == ref.mask).mean() >= 0.999 and (ort.mask == ref.mask).mean() >= 0.999
        assert np.abs(ort.probability - ref.probability).max() < 1e-4
        assert ref.polyp == bool(ref.mask.any()) and ref.area == int(ref.mask.sum())
        region = ref.probability[ref.probability > 0.5]  # the mean probability of the region
        assert ref.score == pytest.approx(float(region.mean()) if region.size else 0.0)


def test_api_inputs_array_list_folder_and_bad_files(nanonet, kvasir_images, tmp_path):
    inferencer = PolypInferencer(nanonet['config'], nanonet['onnx'], backend='onnxruntime')
    image = cv2.imread(kvasir_images[0])
    one = inferencer(image).results
    assert len(one) == 1 and one[0].name == 'image_0'
    assert np.array_equal(one[0].mask, inferencer(kvasir_images[0]).results[0].mask)
    folder = tmp_path / 'frames'
    (folder / 'sub').mkdir(parents=True)
    cv2.imwrite(str(folder / 'a.png'), image)
    cv2.imwrite(str(folder / 'sub' / 'b.jpg'), image)
    (folder / 'broken.jpg').write_bytes(b'not a jpeg')
    (folder / 'notes.txt').write_text('ignored: not an image extension')
    run = inferencer(str(folder), out_dir=str(tmp_path / 'out'))
    assert [osp.relpath(r.name, folder) for r in run.results] == ['a.png', osp.join('sub', 'b.jpg')]
    assert run.skipped == [(str(folder / 'broken.jpg'),
                            'unreadable image (not an image, truncated or unsupported format)')]
    assert 'skipped 1: ' + str(folder / 'broken.jpg') in run.summary_line()
    mask = cv2.imread(str(tmp_path / 'out' / 'masks' / 'sub' / 'b.png'), cv2.IMREAD_UNCHANGED)
    assert mask.shape == image.shape[:2] and set(np.unique(mask)) <= {0, 255}
    assert np.array_equal(mask == 255, run.results[1].mask)
    overlay = cv2.imread(str(tmp_path / 'out' / 'overlays' / 'a.png'))
    assert overlay.shape == image.shape and not np.array_equal(overlay, image)
    table = json.loads((tmp_path / 'out' / 'results.json').read_text())
    assert table['summary']['frames'] == 2 and len(table['summary']['skipped']) == 1
    assert table['frames'][1]['area'] == int(run.results[1].mask.sum())
    model = init_model(nanonet['config'], nanonet['ckpt'])  # mmseg's inference_model shape
    by_path, by_array = inference_model(model, [kvasir_images[0], image])
    assert by_path.img_path == kvasir_images[0] and by_array.img_path == 'image_1'
    assert by_path.pred_sem_seg.shape == image.shape[:2]
    assert torch.equal(by_path.pred_sem_seg.data, by_array.pred_sem_seg.data)
    with pytest.raises(DataError, match='unreadable image'):
        inference_model(model, str(folder / 'broken.jpg'))
    with pytest.raises(DataError, match='does not exist'):
        InferenceInput(str(tmp_path / 'missing.jpg'))
    with pytest.raises(DataError, match='unreadable image'):
        InferenceInput(str(folder / 'broken.jpg'))
    (tmp_path / 'empty').mkdir()
    with pytest.raises(DataError, match='holds no image'):
        InferenceInput(str(tmp_path / 'empty'))


def write_video(path: str, images: list, fps: float, size=(320, 256)) -> None:
    writer = cv2.VideoWriter(path, cv2.VideoWriter_fourcc(*'mp4v'), fps, size)
    for image in images:
        writer.write(cv2.resize(image, size))
    writer.release()


@pytest.mark.slow
def test_infer_tool_video_in_video_out(nanonet, kvasir_images, tmp_path):
    video = str(tmp_path / 'clip.mp4')
    frames = [cv2.imread(p) for p in kvasir_images * 3]  # 9 real frames
    write_video(video, frames, fps=12)
    out = tmp_path / 'out'
    result = run_tool('tools/infer.py', nanonet['config'], nanonet['onnx'], video, '--out-dir',
                      str(out), '--backend', 'onnxruntime', '--threads', '1')
    assert result.returncode == 0, result.stderr[-3000:]
    assert '9/9, ' in result.stderr and 'task/s' in result.stderr  # mmengine's progress bar
    line = [s for s in result.stdout.splitlines() if s.startswith('onnxruntime: ')][0]
    assert line.startswith('onnxruntime: 9 frames: mean ') and ' FPS' in line
    cap = cv2.VideoCapture(str(out / 'clip_overlay.mp4'))
    assert cap.get(cv2.CAP_PROP_FPS) == pytest.approx(12)
    assert (cap.get(cv2.CAP_PROP_FRAME_WIDTH), cap.get(cv2.CAP_PROP_FRAME_HEIGHT)) == (320, 256)
    count = 0
    while cap.read()[0]:
        count += 1
    assert count == 9
    rows = (out / 'results.csv').read_text().splitlines()
    assert rows[0] == 'index,name,polyp,area,area_fraction,score,ms' and len(rows) == 10
    assert rows[1].startswith('0,frame 0,')
    assert len(glob.glob(str(out / 'masks' / 'frame_*.png'))) == 9


def test_infer_tool_bad_inputs_exit_2(nanonet, kvasir_images, tmp_path, capsys):
    cfg, ckpt, out = nanonet['config'], nanonet['ckpt'], str(tmp_path / 'out')
    broken = tmp_path / 'broken.jpg'
    broken.write_bytes(b'not a jpeg')
    not_video = tmp_path / 'clip.mp4'
    not_video.write_bytes(b'not a video')
    empty_video = str(tmp_path / 'empty.avi')
    write_video(empty_video, [], fps=10)
    other = NANONET['a']  # NanoNet-A config, NanoNet-C weights
    cases = {
        'missing checkpoint': ((cfg, str(tmp_path / 'none.pth'), kvasir_images[0]),
                               'does not exist'),
        'unreadable image': ((cfg, ckpt, str(broken)), 'unreadable image'),
        'unreadable video': ((cfg, ckpt, str(not_video)), 'cannot be read or has no frame'),
        'empty video': ((cfg, ckpt, empty_video), 'cannot be read or has no frame'),
        'mismatch': ((other, ckpt, kvasir_images[0]), 'does not fit config'),
        'onnx for another model': ((CLS.format('mobilenetv3-large_raw'), nanonet['onnx'],
                                    kvasir_images[0], '--backend', 'onnxruntime'),
                                   'was exported from a EncoderDecoder/NanoNetHead model'),
        'not onnx': ((cfg, ckpt, kvasir_images[0], '--backend', 'onnxruntime'),
                     'is not a readable ONNX model'),
        'missing input': ((cfg, ckpt, str(tmp_path / 'none.jpg')), 'does not exist'),
    }
    for name, (args, message) in cases.items():
        code = tool_main('infer.py', *args, '--out-dir', out)
        err = capsys.readouterr().err.strip()
        assert code == 2, name
        assert len(err.splitlines()) == 1 and err.startswith('error: ') and message in err, \
            (name, err)


def test_infer_tool_names_every_bad_frame_and_loses_no_result(
        nanonet, kvasir_images, tmp_path, capsys):
    """Measured: a JPEG cut to its first 2 KB was segmented as a normal (grey-filled) frame;
    ``a.jpg`` and ``a.png`` wrote one ``masks/a.png``; an MJPG video cut in half reported
    "7 frames" with nothing saying it ended early."""
    args = (nanonet['config'], nanonet['onnx'])
    folder = tmp_path / 'frames'
    folder.mkdir()
    image = cv2.imread(kvasir_images[0])
    cv2.imwrite(str(folder / 'a.jpg'), image)
    cv2.imwrite(str(folder / 'a.png'), image)
    (folder / 'cut.jpg').write_bytes((folder / 'a.jpg').read_bytes()[:2048])
    cv2.imwrite(str(folder / 'cut.png'), image)
    (folder / 'cut.png').write_bytes((folder / 'cut.png').read_bytes()[:4096])
    out = tmp_path / 'out'
    assert tool_main('infer.py', *args, str(folder), '--out-dir', str(out), '--backend',
                     'onnxruntime', '--no-progress') == 0
    line = capsys.readouterr().out.splitlines()[0]
    assert line.startswith('onnxruntime: 2 frames: ')
    assert 'skipped 2: ' in line and 'cut.jpg: truncated JPEG (no end-of-image marker)' in line
    assert 'cut.png: truncated PNG (no IEND chunk)' in line
    assert sorted(p.name for p in (out / 'masks').iterdir()) == ['a_jpg.png', 'a_png.png']

    video = str(tmp_path / 'clip.avi')
    writer = cv2.VideoWriter(video, cv2.VideoWriter_fourcc(*'MJPG'), 10, (320, 256))
    for _ in range(14):
        writer.write(cv2.resize(image, (320, 256)))
    writer.release()
    data = open(video, 'rb').read()
    cut = tmp_path / 'cut.avi'
    cut.write_bytes(data[:len(data) // 2])
    assert tool_main('infer.py', *args, str(cut), '--out-dir', str(tmp_path / 'video'),
                     '--backend', 'onnxruntime', '--no-progress') == 0
    line = capsys.readouterr().out.splitlines()[0]
    frames = int(line.split(': ')[1].split()[0])
    assert 0 < frames < 14
    assert f'skipped 1: frames {frames}-13: video ended after {frames} of the 14 frames' in line


def test_infer_tool_reports_no_success_for_files_it_could_not_write(
        nanonet, kvasir_images, tmp_path, capsys, monkeypatch):
    """Measured: with masks/ unwritable infer.py printed "written to ..." and exited 0
    (``cv2.imwrite`` returns False; as root no folder is unwritable, so that is simulated)."""
    args = (nanonet['config'], nanonet['onnx'], kvasir_images[0], '--backend', 'onnxruntime',
            '--no-progress', '--out-dir')
    with monkeypatch.context() as patch:
        patch.setattr(cv2, 'imwrite', lambda *a, **k: False)
        code = tool_main('infer.py', *args, str(tmp_path / 'out'))
    captured = capsys.readouterr()
    assert code == 2 and 'written to' not in captured.out
    assert captured.err.strip() == f"error: could not write {tmp_path / 'out' / 'masks'}/" \
        f"{osp.splitext(osp.basename(kvasir_images[0]))[0]}.png"
    a_file = tmp_path / 'a_file'
    a_file.write_text('')
    assert tool_main('infer.py', *args, str(a_file)) == 2
    assert capsys.readouterr().err.startswith(f'error: cannot create the output folder {a_file}')
    folder = tmp_path / 'frames'
    folder.mkdir()
    cv2.imwrite(str(folder / 'a.png'), cv2.imread(kvasir_images[0]))
    assert tool_main('infer.py', nanonet['config'], nanonet['onnx'], str(folder), '--backend',
                     'onnxruntime', '--out-dir', str(folder / 'out')) == 2
    assert 'lies inside the input folder' in capsys.readouterr().err
    assert sorted(p.name for p in folder.iterdir()) == ['a.png']  # nothing written there


def test_cascade_instances_through_the_api(kvasir_images, tmp_path):
    config = osp.join(REPO, 'configs', 'cascade_polyp.py')
    options = {'test_dataloader.dataset.pipeline.1.scale': (128, 128)}
    cfg = load_config(config, options)
    ckpt = random_checkpoint(cfg, None, str(tmp_path / 'cascade.pth'))
    image = cv2.imread(kvasir_images[0])
    result = PolypInferencer(config, ckpt, cfg_options=options).infer(image, 'kvasir')
    inst = result.instances
    assert len(inst['scores']) > 0  # random weights: many boxes pass the 0.5 score
    assert inst['boxes'].shape == (len(inst['scores']), 4) and inst['scores'].min() >= 0.5
    assert inst['masks'].shape == (len(inst['scores']), *image.shape[:2])
    assert np.array_equal(result.mask, inst['masks'].any(axis=0))
    assert result.score == pytest.approx(float(inst['scores'].max()))
    assert result.summary()['instances'] == len(inst['scores'])
    with pytest.raises(ConfigError, match='cannot be exported'):
        deploy_meta(init_model(cfg, ckpt), cfg)


def test_tools_classifier_trimmed_and_untrimmed(kvasir_images, tmp_path, capsys):
    """export_onnx.py and infer.py on MobileNetV3, untrimmed and trimmed: same probabilities."""
    config = CLS.format('mobilenetv3-large_hybrid')
    ckpt = random_checkpoint(load_config(config), None, str(tmp_path / 'hybrid.pth'))
    state = torch.load(ckpt, weights_only=True)['state_dict']
    trimmed_cfg, trimmed_ckpt, _ = save_trimmed(load_config(config), state, str(tmp_path))
    folder = tmp_path / 'frames'
    folder.mkdir()
    for path in kvasir_images[:2]:
        cv2.imwrite(str(folder / osp.basename(path)), cv2.imread(path))
    runs = dict(untrimmed=(config, ckpt), trimmed=(trimmed_cfg, trimmed_ckpt))
    for name, (cfg, weights) in list(runs.items()):
        onnx_file = str(tmp_path / f'{name}.onnx')
        assert tool_main('deployment/export_onnx.py', cfg, weights, '-o', onnx_file) == 0
        assert 'input 1x3x224x224, output class_probabilities' in capsys.readouterr().out
        runs[f'{name}-onnx'] = (cfg, onnx_file, '--backend', 'onnxruntime')
    tables = {}
    for name, args in runs.items():
        out = tmp_path / name
        assert tool_main('infer.py', *args, str(folder), '--out-dir', str(out),
                         '--no-progress') == 0, capsys.readouterr().err
        rows = (out / 'results.csv').read_text().splitlines()
        assert rows[0] == 'index,name,score,pred_label,pred_class,ms' and len(rows) == 3
        assert len(glob.glob(str(out / 'overlays' / '*.png'))) == 2
        assert not (out / 'masks').exists()
        tables[name] = json.loads((out / 'results.json').read_text())['frames']
    reference = tables.pop('untrimmed')
    for name, table in tables.items():
        for row, ref in zip(table, reference):
            assert row['pred_class'] == ref['pred_class'], name
            assert row['score'] == pytest.approx(ref['score'], abs=1e-4), name
