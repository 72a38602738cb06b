"""CPU latency, memory, parameters and FLOPs of NanoNet-A, -B and -C at batch 1.

    python tools/benchmarks/nanonet_speed.py [--size 256] [--warmup 10] [--repeats 50]
        [--threads N] [--shortcut conv|bn] [--out work_dirs/benchmarks/nanonet_speed.json]

Each image goes through ``/255``, the network, the sigmoid and the 0.5
threshold (what ``tools/test.py`` does per image, without data loading), in
eager PyTorch and as a frozen TorchScript trace (``torch.jit.trace`` +
``freeze`` + ``optimize_for_inference``); the faster one is marked. Peak
memory is the peak resident set size (``VmHWM``) of a fresh process per
variant and mode, and its growth from the built model to the end of the run
(activations and workspace; for TorchScript, tracing included). FLOPs are
mmengine's ``get_model_complexity_info`` count, in which one multiply-add of a
convolution or linear layer counts as one (fvcore's convention).
"""
import argparse
import glob
import json
import os
import os.path as osp
import platform
import re
import subprocess
import sys
import time
from typing import Callable, Dict

import torch
import torch.nn as nn

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))

from mmengine.analysis import get_model_complexity_info  # noqa: E402
from mmengine.config import Config  # noqa: E402
from mmengine.logging import MMLogger  # noqa: E402
from mmengine.registry import init_default_scope  # noqa: E402
from mmseg.registry import MODELS  # noqa: E402

import endommlab  # noqa: E402,F401
from endommlab.utils import keras_param_count  # noqa: E402

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


class MaskInference(nn.Module):
    """0-255 image → binary polyp mask, as one traceable module."""

    def __init__(self, model: nn.Module, threshold: float) -> None:
        super().__init__()
        self.model = model
        self.threshold = threshold

    def forward(self, img: torch.Tensor) -> torch.Tensor:
        return self.model(img / 255., mode='tensor').sigmoid() > self.threshold


def memory_mib(key: str) -> float:
    """``VmRSS`` / ``VmHWM`` of this process, in MiB (Linux)."""
    with open('/proc/self/status') as f:
        return int(re.search(rf'{key}:\s+(\d+) kB', f.read()).group(1)) / 1024


def reset_peak_memory() -> float:
    """Reset ``VmHWM`` to the current resident size and return that size (MiB)."""
    with open('/proc/self/clear_refs', 'w') as f:
        f.write('5')
    return memory_mib('VmRSS')


def time_run(fn: Callable, img: torch.Tensor, warmup: int, repeats: int) -> Dict[str, float]:
    """Latency statistics of ``fn(img)`` in milliseconds."""
    with torch.inference_mode():
        for _ in range(warmup):
            fn(img)
        times = []
        for _ in range(repeats):
            start = time.perf_counter()
            fn(img)
            times.append((time.perf_counter() - start) * 1000)
    mean = sum(times) / len(times)
    return dict(mean_ms=mean, min_ms=min(times), max_ms=max(times), fps=1000 / mean)


def build(variant: str, shortcut: str) -> nn.Module:
    config = glob.glob(osp.join(REPO, 'configs', 'nanonet', f'nanonet-{variant}_*.py'))[0]
    cfg = Config.fromfile(config)
    cfg.model.backbone.init_cfg = None
    cfg.model.decode_head.shortcut = shortcut
    init_default_scope('mmseg')
    return MODELS.build(cfg.model).eval()


def measure(variant: str, mode: str, args: argparse.Namespace) -> dict:
    """One variant in one mode (run in a fresh process, so memory figures are its own)."""
    if args.threads:
        torch.set_num_threads(args.threads)
    MMLogger.get_instance('mmengine', log_level='ERROR')
    torch.manual_seed(0)
    img = torch.randint(0, 256, (1, 3, args.size, args.size)).float()
    model = build(variant, args.shortcut)
    eager = MaskInference(model, model.decode_head.threshold).eval()
    result = dict(threads=torch.get_num_threads(),
                  params=sum(p.numel() for p in model.parameters()),
                  params_keras=keras_param_count(model))
    rss_before = reset_peak_memory()
    fn = eager
    if mode == 'torchscript':
        with torch.inference_mode():
            fn = torch.jit.optimize_for_inference(torch.jit.freeze(
                torch.jit.trace(eager, img, check_trace=False)))
    result.update(time_run(fn, img, args.warmup, args.repeats))
    peak = memory_mib('VmHWM')
    result.update(peak_rss_mib=peak, peak_growth_mib=peak - rss_before)
    if mode == 'eager':
        result['gmacs'] = get_model_complexity_info(
            model, inputs=(img / 255., ), show_table=False, show_arch=False)['flops'] / 1e9
    else:
        with torch.inference_mode():
            result['mask_agreement_with_eager'] = float((fn(img) == eager(img)).float().mean())
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--variants', nargs='+', default=['a', 'b', 'c'], choices='abc')
    parser.add_argument('--size', type=int, default=256, help='square input side')
    parser.add_argument('--warmup', type=int, default=10)
    parser.add_argument('--repeats', type=int, default=50)
    parser.add_argument('--threads', type=int, help='torch CPU threads (default: torch default)')
    parser.add_argument('--shortcut', choices=['conv', 'bn'], default='conv',
                        help="residual shortcut: 'conv' (paper, the configs') or 'bn' (released)")
    parser.add_argument('--out', default='work_dirs/benchmarks/nanonet_speed.json')
    parser.add_argument('--child', nargs=2, metavar=('VARIANT', 'MODE'), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(*args.child, args)))
        return
    results = dict(size=args.size, batch=1, shortcut=args.shortcut, warmup=args.warmup,
                   repeats=args.repeats, torch=torch.__version__, cpu=platform.processor()
                   or platform.machine(), cpu_count=os.cpu_count(),
                   load_average_at_start=os.getloadavg(), models={})
    child_args = [sys.executable, '-W', 'ignore', osp.abspath(__file__), '--size', str(args.size),
                  '--warmup', str(args.warmup), '--repeats', str(args.repeats),
                  '--shortcut', args.shortcut] + (['--threads', str(args.threads)]
                                                  if args.threads else [])
    rows = []
    for variant in args.variants:
        runs = {}
        for mode in ('eager', 'torchscript'):
            out = subprocess.run(child_args + ['--child', variant, mode], capture_output=True,
                                 text=True, check=True).stdout
            runs[mode] = json.loads(out.strip().splitlines()[-1])
        fastest = min(runs, key=lambda k: runs[k]['mean_ms'])
        eager = runs['eager']
        results['threads'] = eager['threads']
        results['models'][f'nanonet-{variant}'] = dict(
            params=eager['params'], params_keras=eager['params_keras'], gmacs=eager['gmacs'],
            fastest=fastest, **{mode: {k: v for k, v in r.items() if k not in (
                'params', 'params_keras', 'gmacs', 'threads')} for mode, r in runs.items()})
        for mode, r in runs.items():
            rows.append(f"nanonet-{variant}  {mode:<11} {r['mean_ms']:8.1f} {r['min_ms']:8.1f} "
                        f"{r['max_ms']:8.1f} {r['fps']:7.1f} {r['peak_rss_mib']:8.0f} "
                        f"{r['peak_growth_mib']:7.1f} {'*' if mode == fastest else ''}")
        rows.append(f"            params {eager['params']:,} (Keras count "
                    f"{eager['params_keras']:,}), {eager['gmacs']:.3f} GMACs, TorchScript/eager "
                    f"mask agreement {runs['torchscript']['mask_agreement_with_eager']:.4f}")
    print(f"NanoNet, CPU, batch 1, {args.size}x{args.size}, {results['threads']} threads, "
          f"shortcut={args.shortcut}, {args.repeats} runs after {args.warmup} warm-up "
          f"(load average at start {results['load_average_at_start'][0]:.1f})")
    print('model      mode         mean ms   min ms   max ms     FPS  peakMiB   +MiB  fastest')
    print('\n'.join(rows))
    os.makedirs(osp.dirname(osp.abspath(args.out)), exist_ok=True)
    with open(args.out, 'w') as f:
        json.dump(results, f, indent=2)
    print(f'written to {args.out}')


if __name__ == '__main__':
    main()
