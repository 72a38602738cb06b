"""Batch-1 latency of the hybrid-loss classifiers, trimmed vs untrimmed (He et al., EndoTect 2020).

    python tools/benchmarks/classifier_speed.py [--models mobilenetv3 resnet152] [--size 224]
        [--warmup 5] [--repeats 30] [--device cpu] [--threads N]
        [--out work_dirs/benchmarks/classifier_speed.json]

For every backbone, builds the "w. raw" model of its hybrid config (random
weights; latency does not depend on them) and its trimmed model
(:func:`~endommlab.engine.hooks.trim_classifier`), checks that both give the
same raw scores, and times ``model.test_step`` (normalisation, network, heads,
softmax) on one ``size x size`` image at a time, alternating untrimmed and
trimmed runs so that both see the same machine load. Prints mean, median, min
and max ms per image, FPS (1000 / mean) and parameters, and writes them as JSON.
"""
import argparse
import copy
import json
import os
import os.path as osp
import platform
import statistics
import sys
import time
from typing import Dict, List

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
sys.path.insert(0, REPO)  # run from a checkout

import torch  # noqa: E402
from mmengine.config import Config  # noqa: E402

CONFIGS = {
    'mobilenetv3': ('MobileNetV3-large w. raw',
                    'configs/hybrid_loss_classifier/mobilenetv3-large_hybrid_hyperkvasir.py'),
    'resnet152': ('ResNet-152 w. raw',
                  'configs/hybrid_loss_classifier/resnet152_hybrid_hyperkvasir.py'),
}


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Batch-1 latency of trimmed/untrimmed classifiers')
    parser.add_argument('--models', nargs='+', choices=list(CONFIGS), default=list(CONFIGS))
    parser.add_argument('--size', type=int, default=224, help='input side in pixels')
    parser.add_argument('--warmup', type=int, default=5, help='untimed runs first')
    parser.add_argument('--repeats', type=int, default=30, help='timed runs (one image each)')
    parser.add_argument('--device', default='cpu', help='cpu or cuda')
    parser.add_argument('--threads', type=int, help='torch CPU threads (default: torch default)')
    parser.add_argument('--out', default='work_dirs/benchmarks/classifier_speed.json')
    return parser.parse_args()


def build(cfg: Config) -> torch.nn.Module:
    from mmpretrain.registry import MODELS
    model_cfg = copy.deepcopy(cfg.model)
    model_cfg.backbone.init_cfg = None
    model_cfg.data_preprocessor = cfg.data_preprocessor
    return MODELS.build(model_cfg)


def time_models(models: Dict[str, torch.nn.Module], image: torch.Tensor, warmup: int,
                repeats: int, device: str) -> Dict[str, List[float]]:
    """Milliseconds of ``model.test_step`` on ``image`` per run, the models taking turns."""
    data = dict(inputs=[image])
    sync = torch.cuda.synchronize if device.startswith('cuda') else (lambda: None)
    times: Dict[str, List[float]] = {name: [] for name in models}
    with torch.no_grad():
        for i in range(warmup + repeats):
            for name, model in models.items():
                sync()
                start = time.perf_counter()
                model.test_step(data)
                sync()
                if i >= warmup:
                    times[name].append((time.perf_counter() - start) * 1000)
    return times


def main() -> None:
    args = parse_args()
    import endommlab  # noqa: F401
    from endommlab.engine.hooks import trim_classifier
    from mmengine.registry import init_default_scope
    init_default_scope('mmpretrain')
    if args.threads:
        torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    image = torch.randint(0, 256, (3, args.size, args.size), dtype=torch.uint8)
    rows: List[Dict] = []
    for key in args.models:
        title, cfg_file = CONFIGS[key]
        cfg = Config.fromfile(osp.join(REPO, cfg_file))
        full = build(cfg).to(args.device).eval()
        trimmed_cfg, weights = trim_classifier(cfg, full.state_dict())
        trimmed = build(trimmed_cfg).to(args.device).eval()
        trimmed.load_state_dict(weights, strict=True)
        with torch.no_grad():
            same = torch.allclose(full.test_step(dict(inputs=[image]))[0].pred_score,
                                  trimmed.test_step(dict(inputs=[image]))[0].pred_score, atol=1e-6)
        models = dict(untrimmed=full, trimmed=trimmed)
        times = time_models(models, image, args.warmup, args.repeats, args.device)
        for variant, ms in times.items():
            mean = sum(ms) / len(ms)
            rows.append(dict(model=title, variant=variant, config=cfg_file,
                             params=sum(p.numel() for p in models[variant].parameters()),
                             mean_ms=mean, median_ms=statistics.median(ms), min_ms=min(ms),
                             max_ms=max(ms), fps=1000 / mean, same_raw_scores=same))
    print(f'batch 1, {args.size}x{args.size}, {args.repeats} runs after {args.warmup} warm-up, '
          f'device {args.device}, {torch.get_num_threads()} CPU threads, '
          f'load average {os.getloadavg()[0]:.1f}')
    print(f'| {"model":<24} | {"variant":<9} | params (M) | mean ms | median ms | min ms | '
          f'max ms |   FPS | same raw scores |')
    print(f'|{"-" * 26}|{"-" * 11}|-----------:|--------:|----------:|-------:|-------:|------:|'
          f'-----------------|')
    for r in rows:
        print(f'| {r["model"]:<24} | {r["variant"]:<9} | {r["params"] / 1e6:10.3f} | '
              f'{r["mean_ms"]:7.1f} | {r["median_ms"]:9.1f} | {r["min_ms"]:6.1f} | '
              f'{r["max_ms"]:6.1f} | {r["fps"]:5.1f} | {str(r["same_raw_scores"]):<15} |')
    os.makedirs(osp.dirname(osp.abspath(args.out)), exist_ok=True)
    with open(args.out, 'w') as f:
        json.dump(dict(size=args.size, warmup=args.warmup, repeats=args.repeats, device=args.device,
                       threads=torch.get_num_threads(), torch=torch.__version__,
                       machine=platform.processor() or platform.machine(),
                       load_average=os.getloadavg(),
                       cuda_device=(torch.cuda.get_device_name() if args.device.startswith('cuda')
                                    else None),
                       results=rows), f, indent=2)
    print(f'written {args.out}')


if __name__ == '__main__':
    main()
