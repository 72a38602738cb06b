"""tools/analysis_tools/benchmark.py and endommlab.benchmark: timing, batches, references."""
import json
import os
import os.path as osp
import subprocess
import sys

import pytest
import torch

from endommlab.apis import load_config
from endommlab.benchmark import (ConfigBenchmark, Timing, benchmark_table, cpu_description,
                                 disc_masks, synthetic_batch, time_interleaved)
from endommlab.benchmark.references import load_function
from endommlab.errors import ConfigError
from endommlab.models.losses import structure_loss

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
NANONET_C = osp.join(REPO, 'configs/nanonet/nanonet-c_mobilenetv2-0.35_1xb16-200e_kvasir-seg-'
                     '256x256.py')


def test_calls_take_turns_and_warmup_is_not_timed():
    calls = []
    timings = time_interleaved(dict(a=lambda: calls.append('a'), b=lambda: calls.append('b')),
                               warmup=1, repeats=2)
    assert calls == ['a', 'b'] * 3
    assert [len(t.wall_ms) for t in timings.values()] == [2, 2]


def test_cpu_description_names_model_and_kernel_extensions(tmp_path):
    cpuinfo = tmp_path / 'cpuinfo'
    cpuinfo.write_text('processor\t: 0\nvendor_id\t: AuthenticAMD\ncpu family\t: 23\n'
                       'model\t\t: 49\nmodel name\t: AMD EPYC\nflags\t\t: fpu sse avx avx2 '
                       'fma\n\nprocessor\t: 1\nmodel name\t: other\nflags\t\t: avx512f\n')
    assert cpu_description(str(cpuinfo)) == \
        f'AMD EPYC (family 23, model 49), {os.cpu_count()} CPUs, avx2'
    cpuinfo.write_text('model name\t: Intel Xeon\nflags\t\t: avx2 avx512f avx512_vnni amx_tile\n')
    assert cpu_description(str(cpuinfo)).endswith('CPUs, avx2 avx512f avx512_vnni amx_tile')


def test_benchmark_table_row_hand_computed(tmp_path):
    run = lambda ms, per_s, rss: dict(mean_ms=ms, per_s=per_s, peak_rss_mib=rss)  # noqa: E731
    result = dict(cpu='AMD EPYC (family 23, model 49), 2 CPUs, avx2', threads=2, size=[256, 256],
                  params=230737, gmacs=1.0476, batch=16, load_average=[1.04, 1.0, 1.0],
                  load_average_at_end=[1.51, 1.2, 1.1],
                  inference=dict(eager=run(40.0, 25.0, 900), onnxruntime=run(20.04, 49.9, 950),
                                 reference=run(50.0, 20.0, 950)),
                  training=dict(train_step=run(4000.0, 4.0, 6000.4),
                                reference=run(6400.0, 2.5, 6000.4)))
    (tmp_path / 'nanonet-a.json').write_text(json.dumps(result))
    table = benchmark_table([str(tmp_path / 'nanonet-a.json')]).splitlines()
    assert table[0] == 'AMD EPYC (family 23, model 49), 2 CPUs, avx2; 2 thread(s)'
    assert table[-1] == ('| nanonet-a | 256² | 230,737 | 1.05 | 40.0 | – | 20.0 | 50.0 (0.80) | '
                         '4.00 (16) | 2.50 (0.62) | 6000 | 1.04–1.51 |')


def test_timing_summary_hand_computed():
    summary = Timing(wall_ms=[10.0, 20.0, 60.0], cpu_ms=[1.0, 2.0, 9.0]).summary(items=2)
    assert summary == dict(runs=3, mean_ms=30.0, median_ms=20.0, min_ms=10.0, max_ms=60.0,
                           cpu_ms=2.0, per_s=pytest.approx(2 * 1000 / 30))


def test_reference_loss_function_loaded_alone_equals_ours(tmp_path):
    script = tmp_path / 'MyTrain.py'
    script.write_text(
        'import torch\nfrom torch.autograd import Variable\nimport torch.nn.functional as F\n'
        'from src.PraNet_Res2Net import PraNet\n'  # not importable here
        'def structure_loss(pred, mask):\n'
        '    weit = 1 + 5*torch.abs(F.avg_pool2d(mask, kernel_size=31, stride=1, padding=15)'
        ' - mask)\n'
        "    wbce = F.binary_cross_entropy_with_logits(pred, mask, reduce='none')\n"
        '    wbce = (weit*wbce).sum(dim=(2, 3)) / weit.sum(dim=(2, 3))\n'
        '    pred = torch.sigmoid(pred)\n'
        '    inter = ((pred * mask)*weit).sum(dim=(2, 3))\n'
        '    union = ((pred + mask)*weit).sum(dim=(2, 3))\n'
        '    wiou = 1 - (inter + 1)/(union - inter+1)\n'
        '    return (wbce + wiou).mean()\n'
        'raise SystemExit("the training script runs on import")\n')
    pranet = load_function(str(script), 'structure_loss')
    torch.manual_seed(0)
    pred = torch.randn(2, 1, 40, 40)
    mask = disc_masks(2, (40, 40), torch.Generator().manual_seed(1))[:, None].float()
    assert float(pranet(pred, mask)) == pytest.approx(
        float(structure_loss(pred, mask, pranet_bce=True)), abs=1e-6)
    with pytest.raises(ConfigError, match='no function train'):
        load_function(str(script), 'train')


def test_synthetic_batches_for_every_scope():
    seg = synthetic_batch('mmseg', 3, (32, 48))
    masks = torch.stack([s.gt_sem_seg.data for s in seg['data_samples']])
    assert [tuple(x.shape) for x in seg['inputs']] == [(3, 32, 48)] * 3
    assert masks.shape == (3, 1, 32, 48) and set(masks.unique().tolist()) == {0, 1}
    # disc radius 0.1-0.25 of the short side: area between pi 3.2^2 and pi 8^2 pixels
    assert all(32 <= int(m.sum()) <= 202 for m in masks)
    det = synthetic_batch('mmdet', 2, (32, 32))
    for sample in det['data_samples']:
        x1, y1, x2, y2 = sample.gt_instances.bboxes[0].tolist()
        mask = torch.from_numpy(sample.gt_instances.masks.masks[0])
        ys, xs = torch.nonzero(mask, as_tuple=True)
        assert (x1, y1, x2, y2) == (xs.min(), ys.min(), xs.max() + 1, ys.max() + 1)
    cls = synthetic_batch('mmpretrain', 4, (16, 16), num_classes=3,
                          label_fields=dict(gt_label_macro=11))
    assert all(0 <= int(s.gt_label) < 3 and 0 <= int(s.gt_label_macro) < 11
               for s in cls['data_samples'])
    with pytest.raises(ConfigError, match='default_scope'):
        synthetic_batch('mmocr', 1, (8, 8))


def test_segmentor_every_mode_agrees_and_trains():
    bench = ConfigBenchmark(load_config(NANONET_C), size=(64, 64), threads=1)
    complexity = bench.complexity()
    assert complexity['params'] == sum(p.numel() for p in bench.model.parameters())
    assert complexity['gmacs'] > 0
    inference = bench.inference(['eager', 'torchscript', 'onnxruntime'], warmup=1, repeats=2)
    assert list(inference) == ['eager', 'torchscript', 'onnxruntime']
    assert inference['torchscript']['max_diff_to_eager'] < 1e-4
    assert inference['onnxruntime']['max_diff_to_eager'] < 1e-4
    assert all(r['runs'] == 2 and r['per_s'] > 0 for r in inference.values())
    training = bench.training(batch_size=2, warmup=1, iters=2)
    assert training['train_step']['runs'] == 2 and 0 < training['train_step']['loss'] <= 1


@pytest.mark.parametrize('config', [
    'demo/cascade_polyp_demo.py', 'hybrid_loss_classifier/mobilenetv3-large_hybrid_hyperkvasir.py'])
def test_detector_and_classifier_train_steps(config):
    bench = ConfigBenchmark(load_config(osp.join(REPO, 'configs', config)), size=(64, 64),
                            threads=1)
    assert bench.inference(['eager'], warmup=0, repeats=1)['eager']['runs'] == 1
    assert bench.training(batch_size=2, warmup=0, iters=1)['train_step']['loss'] > 0


def test_reference_needs_a_matching_config():
    with pytest.raises(ConfigError, match='DivergentNets member config'):
        ConfigBenchmark(load_config(NANONET_C), size=(32, 32), reference='smp')
    with pytest.raises(ConfigError, match='model.decode_head.shortcut=bn'):
        ConfigBenchmark(load_config(NANONET_C), size=(32, 32), reference='nanonet-keras')
    with pytest.raises(ConfigError, match='unknown reference'):
        ConfigBenchmark(load_config(NANONET_C), size=(32, 32), reference='unet')


@pytest.mark.slow
def test_tool_writes_json_and_bad_reference_path_is_one_line(tmp_path):
    env = dict(os.environ, OMP_NUM_THREADS='1', NO_ALBUMENTATIONS_UPDATE='1')
    tool = osp.join(REPO, 'tools', 'analysis_tools', 'benchmark.py')
    out = tmp_path / 'bench.json'
    run = subprocess.run([sys.executable, tool, NANONET_C, '--size', '32', '--threads', '1',
                          '--warmup', '0', '--repeats', '1', '--train-iters', '1',
                          '--modes', 'eager', '--out', str(out)],
                         capture_output=True, text=True, env=env)
    assert run.returncode == 0, run.stderr
    result = json.loads(out.read_text())
    assert result['size'] == [32, 32] and result['threads'] == 1
    assert result['cpu'] == cpu_description() and result['cpu'] in run.stdout
    assert set(result['inference']) == {'eager'} and 'train_step' in result['training']
    bad = subprocess.run([sys.executable, tool, NANONET_C, '--reference', 'pranet',
                          '--reference-path', str(tmp_path / 'missing')],
                         capture_output=True, text=True, env=env)
    assert bad.returncode == 2
    assert bad.stderr.strip().splitlines() == [
        f"error: --reference-path must be a folder holding lib/PraNet_Res2Net.py (got "
        f"'{tmp_path / 'missing'}'); see tools/analysis_tools/benchmark.py --help"]


def test_step_breakdown_on_the_training_data(demo_root):
    """The parts of a step on real samples of the config's training set; a second load of the
    same samples is served by CachedTransforms (no decoding), so it is cheaper."""
    cfg = load_config(osp.join(REPO, 'configs/nanonet/nanonet-c_mobilenetv2-0.35-scratch_1xb8-'
                               '45min-cpu_kvasir-seg-256x256.py'),
                      {'train_dataloader.dataset.data_root': demo_root})
    bench = ConfigBenchmark(cfg, threads=1)
    parts = bench.step_breakdown(batch_size=2, iters=2)
    assert list(parts) == ['load', 'load_again', 'preprocess', 'forward', 'backward',
                           'optimizer']
    assert all(ms > 0 for ms in parts.values())
    assert parts['load_again'] < parts['load']
    with pytest.raises(ConfigError, match='the training set has 12 samples; 7 steps of 2 need 14'):
        bench.step_breakdown(batch_size=2, iters=6)
