"""Speed and memory of the Cascade Mask R-CNN polyp model (configs/cascade_polyp.py).

Per-image inference latency at batch 1 (mean / min / max ms and FPS, as He et al. report
it) and training throughput (images/s, batch 2 as in the paper) at each requested input
size, with the peak resident memory of the process. Each setting runs in its own process
so that peaks do not mix. Weights are randomly initialised (no downloads here): latency
then includes fewer mask-head passes than a trained model, since few boxes pass the
0.5 score threshold; the table says how many detections were kept.

    python tools/benchmarks/cascade_polyp_speed.py --data-root data/kvasir-seg \
        --sizes 1024 256 --out work_dirs/benchmarks/cascade_polyp_speed.json
"""
import argparse
import json
import os
import os.path as osp
import platform
import resource
import subprocess
import sys
import time

import numpy as np

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
sys.path.insert(0, REPO)


def build(size: int, data_root: str, config: str):
    import torch
    from mmengine.config import Config
    from mmengine.registry import init_default_scope

    import endommlab  # noqa: F401
    from mmdet.registry import DATASETS, MODELS
    cfg = Config.fromfile(osp.join(REPO, config))
    init_default_scope('mmdet')
    cfg.model.backbone.init_cfg = None
    model = MODELS.build(cfg.model)
    model.init_weights()

    def dataset(loader, resize_index):
        ds_cfg = cfg[loader].dataset
        ds_cfg.data_root = data_root
        ds_cfg.pipeline[resize_index].scale = (size, size)
        return DATASETS.build(ds_cfg)

    torch.manual_seed(0)
    return model, dataset('train_dataloader', 2), dataset('test_dataloader', 1)


def measure(size: int, data_root: str, config: str, warmup: int, repeats: int,
            train_steps: int, threads: int) -> dict:
    import torch
    from mmengine.dataset import pseudo_collate
    from mmengine.optim import build_optim_wrapper
    torch.set_num_threads(threads)
    model, train_set, test_set = build(size, data_root, config)

    model.eval()
    latencies, kept = [], []
    with torch.no_grad():
        for i in range(warmup + repeats):
            batch = model.data_preprocessor(pseudo_collate([test_set[i % len(test_set)]]), False)
            start = time.perf_counter()
            out = model(**batch, mode='predict')
            if i >= warmup:
                latencies.append((time.perf_counter() - start) * 1000)
                kept.append(len(out[0].pred_instances))
    lat = np.array(latencies)

    model.train()
    optim = build_optim_wrapper(model, dict(optimizer=dict(type='SGD', lr=0.004, momentum=0.9,
                                                           weight_decay=1e-4)))
    step_times = []
    for i in range(train_steps + 1):
        samples = [train_set[(2 * i + k) % len(train_set)] for k in range(2)]
        start = time.perf_counter()
        model.train_step(pseudo_collate(samples), optim)
        if i > 0:  # the first step warms up
            step_times.append(time.perf_counter() - start)
    return dict(
        size=size, threads=threads, repeats=repeats,
        latency_ms_mean=float(lat.mean()), latency_ms_min=float(lat.min()),
        latency_ms_max=float(lat.max()), fps=float(1000 / lat.mean()),
        detections_kept_mean=float(np.mean(kept)),
        train_images_per_s=float(2 * len(step_times) / sum(step_times)),
        train_step_s=float(np.mean(step_times)),
        peak_rss_mib=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--config', default='configs/cascade_polyp.py')
    parser.add_argument('--data-root', default='data/kvasir-seg')
    parser.add_argument('--sizes', type=int, nargs='+', default=[1024, 256])
    parser.add_argument('--warmup', type=int, default=2)
    parser.add_argument('--repeats', type=int, default=10)
    parser.add_argument('--train-steps', type=int, default=3)
    parser.add_argument('--threads', type=int, default=os.cpu_count())
    parser.add_argument('--out', default='work_dirs/benchmarks/cascade_polyp_speed.json')
    parser.add_argument('--single', type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.single:
        print(json.dumps(measure(args.single, args.data_root, args.config, args.warmup,
                                 args.repeats, args.train_steps, args.threads)))
        return
    rows = []
    for size in args.sizes:
        cmd = [sys.executable, __file__, '--single', str(size), '--config', args.config,
               '--data-root', args.data_root, '--warmup', str(args.warmup), '--repeats',
               str(args.repeats), '--train-steps', str(args.train_steps), '--threads',
               str(args.threads)]
        res = subprocess.run(cmd, capture_output=True, text=True, cwd=REPO)
        if res.returncode != 0:
            sys.exit(f'benchmark at {size} failed:\n{res.stderr[-3000:]}')
        rows.append(json.loads(res.stdout.strip().splitlines()[-1]))
    header = ('size', 'ms mean', 'ms min', 'ms max', 'FPS', 'dets', 'train img/s', 'peak MiB')
    print('| ' + ' | '.join(header) + ' |\n|' + '---|' * len(header))
    for r in rows:
        print(f"| {r['size']}x{r['size']} | {r['latency_ms_mean']:.0f} | {r['latency_ms_min']:.0f} | "
              f"{r['latency_ms_max']:.0f} | {r['fps']:.2f} | {r['detections_kept_mean']:.1f} | "
              f"{r['train_images_per_s']:.3f} | {r['peak_rss_mib']:.0f} |")
    os.makedirs(osp.dirname(osp.abspath(args.out)), exist_ok=True)
    with open(args.out, 'w') as f:
        json.dump(dict(machine=platform.processor() or platform.machine(), cpus=os.cpu_count(),
                       config=args.config, results=rows), f, indent=1)
    print(f'written to {args.out}')


if __name__ == '__main__':
    main()
