"""Parameters, inference latency (FPS) and training throughput of the reverse-attention models.

    python tools/benchmarks/pranet_speed.py [--configs NAME ...] [--size 512]
        [--repeats 5] [--warmup 3] [--train-batch 2] [--train-iters 3] [--threads N]
        [--device cpu|cuda] [--out work_dirs/pranet_speed.json]

NAME is a config under ``configs/reverse_attention`` without ``.py`` (default:
the BR, BP and BRP ablations). Latency is one ``size x size`` image through
``encode_decode`` (backbone, head, upsampling of the output map) under
``torch.inference_mode``, median (and best) of ``--repeats`` runs; FPS = 1000 / ms.
Training throughput is images per second of ``train_step`` (data
preprocessing, forward, structure losses, backward, Adam step) at
``size x size`` with the multi-scale batch resize switched off, median (and best)
of ``--train-iters`` iterations after one warm-up iteration. Besides wall-clock
figures the script reports the process CPU time (all threads) per image, which
depends less on other jobs sharing the machine. Random weights: the speed does
not depend on them.
"""
import argparse
import json
import os
import os.path as osp
import statistics
import sys
import time
from typing import Callable, Dict, List, Tuple

import torch

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))

import endommlab  # noqa: E402,F401
from mmengine.config import Config  # noqa: E402
from mmengine.optim import build_optim_wrapper  # noqa: E402
from mmengine.registry import init_default_scope  # noqa: E402
from mmengine.structures import PixelData  # noqa: E402
from mmseg.registry import MODELS  # noqa: E402
from mmseg.structures import SegDataSample  # noqa: E402

CONFIG_DIR = osp.join(osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))), 'configs',
                      'reverse_attention')
DEFAULT_CONFIGS = ['ra-br_res2net50-v1b_1xb16-20e_kvasir-seg-512x512',
                   'ra-bp_res2net50-v1b_1xb16-20e_kvasir-seg-512x512',
                   'ra-brp_res2net50-v1b_1xb16-20e_kvasir-seg-512x512']


def timed(fn: Callable[[], object], repeats: int, warmup: int,
          device: str) -> Tuple[List[float], List[float]]:
    """Wall-clock and process CPU seconds of ``repeats`` calls of ``fn`` after ``warmup`` calls."""
    for _ in range(warmup):
        fn()
    wall, cpu = [], []
    for _ in range(repeats):
        if device == 'cuda':
            torch.cuda.synchronize()
        start, start_cpu = time.perf_counter(), time.process_time()
        fn()
        if device == 'cuda':
            torch.cuda.synchronize()
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return wall, cpu


def build(name: str, device: str):
    cfg = Config.fromfile(osp.join(CONFIG_DIR, name + '.py'))
    model_cfg = cfg.model.get('segmentor', cfg.model)
    model_cfg.backbone.init_cfg = None
    model_cfg.data_preprocessor.batch_augments = None  # fixed size for the throughput
    return MODELS.build(model_cfg).to(device), cfg


def benchmark(name: str, args: argparse.Namespace) -> Dict[str, float]:
    model, cfg = build(name, args.device)
    size = (args.size, args.size)
    params = dict(params=sum(p.numel() for p in model.parameters()),
                  backbone_params=sum(p.numel() for p in model.backbone.parameters()),
                  head_params=sum(p.numel() for p in model.decode_head.parameters()))

    model.eval()
    image = torch.randn(1, 3, *size, device=args.device)
    metas = [dict(img_shape=size, ori_shape=size, pad_shape=size)]
    with torch.inference_mode():
        latency, latency_cpu = timed(lambda: model.encode_decode(image, metas), args.repeats,
                                     args.warmup, args.device)

    model.train()
    optim_wrapper = build_optim_wrapper(model, cfg.optim_wrapper)
    batch = dict(
        inputs=[torch.randint(0, 256, (3, *size), dtype=torch.uint8)
                for _ in range(args.train_batch)],
        data_samples=[SegDataSample(gt_sem_seg=PixelData(data=torch.randint(0, 2, (1, *size))),
                                    metainfo=dict(img_shape=size, ori_shape=size))
                      for _ in range(args.train_batch)])
    step, step_cpu = timed(lambda: model.train_step(batch, optim_wrapper), args.train_iters, 1,
                           args.device)
    median_ms, best_ms = 1000 * statistics.median(latency), 1000 * min(latency)
    return dict(config=name, **params, latency_ms=median_ms, latency_best_ms=best_ms,
                latency_cpu_ms=1000 * statistics.median(latency_cpu), fps=1000 / median_ms,
                fps_best=1000 / best_ms,
                train_images_per_s=args.train_batch / statistics.median(step),
                train_images_per_s_best=args.train_batch / min(step),
                train_step_s=statistics.median(step),
                train_cpu_s_per_image=statistics.median(step_cpu) / args.train_batch)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--configs', nargs='+', default=DEFAULT_CONFIGS)
    parser.add_argument('--size', type=int, default=512)
    parser.add_argument('--repeats', type=int, default=5)
    parser.add_argument('--warmup', type=int, default=3)
    parser.add_argument('--train-batch', type=int, default=2)
    parser.add_argument('--train-iters', type=int, default=3)
    parser.add_argument('--threads', type=int, help='torch CPU threads (default: torch default)')
    parser.add_argument('--device', default='cpu', choices=['cpu', 'cuda'])
    parser.add_argument('--out', default='work_dirs/pranet_speed.json')
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    init_default_scope('mmseg')
    torch.manual_seed(0)
    rows = [benchmark(name, args) for name in args.configs]

    print(f'device {args.device}, {torch.get_num_threads()} CPU threads, '
          f'torch {torch.__version__}, {args.size}x{args.size}, latency: batch 1, '
          f'median (best) of {args.repeats}; training: batch {args.train_batch}, '
          f'median (best) of {args.train_iters} steps; CPU = process CPU time, median')
    header = (f"{'config':<50} {'params':>11} {'ms (best)':>15} {'CPU ms':>7} {'FPS (best)':>12} "
              f"{'train img/s (best)':>19} {'train CPU s/img':>16}")
    print(header)
    print('-' * len(header))
    for r in rows:
        print(f"{r['config'][:50]:<50} {r['params']:>11,} "
              f"{r['latency_ms']:>7.0f} ({r['latency_best_ms']:>5.0f}) {r['latency_cpu_ms']:>7.0f} "
              f"{r['fps']:>5.2f} ({r['fps_best']:>4.2f}) "
              f"{r['train_images_per_s']:>10.3f} ({r['train_images_per_s_best']:>5.3f}) "
              f"{r['train_cpu_s_per_image']:>16.2f}")
    os.makedirs(osp.dirname(osp.abspath(args.out)), exist_ok=True)
    with open(args.out, 'w') as f:
        json.dump(dict(device=args.device, threads=torch.get_num_threads(), size=args.size,
                       torch=torch.__version__, repeats=args.repeats, train_batch=args.train_batch,
                       train_iters=args.train_iters, results=rows), f, indent=2)
    print(f'written to {args.out}')


if __name__ == '__main__':
    main()
