"""Parameters, CPU latency and training speed of the DivergentNets members, TriUNet, ensemble.

    python tools/benchmarks/divergentnets_speed.py [--size 256] [--repeat 3] [--train-iters 2]
        [--batch 2] [--threads N] [--models unetpp fpn ...] [--out divergentnets_speed.json]

Latency: median wall time of ``model._forward`` on one ``size x size`` image (batch 1, eval mode,
no gradient; the member's normalisation is excluded, the ensemble's includes each member's).
Training: images per second of forward + single-channel Dice loss + backward + Adam step on
batches of ``--batch`` random images. Models are built from the configs with random weights.
The machine's load average is recorded with the figures: on a shared machine they vary.
"""
import argparse
import json
import os
import os.path as osp
import statistics
import sys
import time
from typing import Callable, Dict, List

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))

import torch  # noqa: E402
from mmengine.config import Config  # noqa: E402
from mmengine.registry import init_default_scope  # noqa: E402
from mmengine.structures import PixelData  # noqa: E402
from mmseg.registry import MODELS  # noqa: E402
from mmseg.structures import SegDataSample  # noqa: E402

import endommlab  # noqa: E402,F401

CFG = 'configs/divergentnets/{}_se-resnext50_kvasir-256x256.py'
MODELS_ALL = ['unetpp', 'fpn', 'deeplabv3', 'deeplabv3plus', 'triunet', 'triunetpp',
              'divergentnets']


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--size', type=int, default=256, help='input side (paper: 256)')
    parser.add_argument('--repeat', type=int, default=3, help='timed inference runs per model')
    parser.add_argument('--train-iters', type=int, default=2,
                        help='timed training iterations per model (0: skip training)')
    parser.add_argument('--batch', type=int, default=2, help='training batch size')
    parser.add_argument('--threads', type=int, default=None, help='torch intra-op threads')
    parser.add_argument('--models', nargs='+', default=MODELS_ALL, choices=MODELS_ALL)
    parser.add_argument('--out', default='divergentnets_speed.json', help='JSON output')
    return parser.parse_args()


def build(name: str) -> torch.nn.Module:
    path = ('configs/divergentnets/divergentnets_kvasir-256x256.py' if name == 'divergentnets'
            else CFG.format(name))
    cfg = Config.fromfile(path)
    if 'backbone' in cfg.model:
        cfg.model.backbone.init_cfg = None
    return MODELS.build(cfg.model)


def median_seconds(fn: Callable[[], None], repeat: int) -> float:
    fn()  # warm-up
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def latency(model: torch.nn.Module, size: int, repeat: int) -> float:
    model.eval()
    x = torch.rand(1, 3, size, size) * 255 if hasattr(model, 'member_names') \
        else torch.randn(1, 3, size, size)

    def run() -> None:
        with torch.no_grad():
            model._forward(x)
    return median_seconds(run, repeat)


def train_images_per_second(model: torch.nn.Module, size: int, batch: int, iters: int) -> float:
    model.train()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-4)
    x = torch.randn(batch, 3, size, size)
    samples = []
    for _ in range(batch):
        s = SegDataSample(metainfo=dict(img_shape=(size, size), ori_shape=(size, size),
                                        pad_shape=(size, size)))
        s.gt_sem_seg = PixelData(data=(torch.rand(1, size, size) > 0.7).long())
        samples.append(s)

    def step() -> None:
        losses = model.loss(x, samples)
        loss = sum(v for k, v in losses.items() if 'loss' in k)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return batch / median_seconds(step, iters)


def main() -> None:
    args = parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    init_default_scope('mmseg')
    rows: List[Dict] = []
    load_before = os.getloadavg()
    for name in args.models:
        model = build(name)
        row = dict(model=name, params_m=sum(p.numel() for p in model.parameters()) / 1e6,
                   latency_ms=1000 * latency(model, args.size, args.repeat))
        if args.train_iters and name != 'divergentnets':
            row['train_img_per_s'] = train_images_per_second(model, args.size, args.batch,
                                                             args.train_iters)
        rows.append(row)
        train = f"{row['train_img_per_s']:6.2f} train img/s" if 'train_img_per_s' in row else ''
        print(f"{name:14s} {row['params_m']:8.2f} M  {row['latency_ms']:9.0f} ms/img  {train}",
              flush=True)
        del model
    result = dict(size=args.size, repeat=args.repeat, train_iters=args.train_iters,
                  batch=args.batch, threads=torch.get_num_threads(), torch=torch.__version__,
                  cpu_count=os.cpu_count(), loadavg_before=load_before,
                  loadavg_after=os.getloadavg(), rows=rows)
    print(f"\n| model | params (M) | CPU latency / {args.size}x{args.size} image (ms) | "
          f"training (images/s, batch {args.batch}) |\n|---|---:|---:|---:|")
    for r in rows:
        train = f"{r['train_img_per_s']:.2f}" if 'train_img_per_s' in r else '-'
        print(f"| {r['model']} | {r['params_m']:.2f} | {r['latency_ms']:.0f} | {train} |")
    print(f'\nthreads {result["threads"]}, load average before {load_before[0]:.1f}, '
          f'after {result["loadavg_after"][0]:.1f}')
    with open(args.out, 'w') as f:
        json.dump(result, f, indent=2)
    print(f'wrote {args.out}')


if __name__ == '__main__':
    main()
