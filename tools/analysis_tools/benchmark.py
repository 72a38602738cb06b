"""Parameters, FLOPs, peak memory, latency and training throughput of any EndoMMLab config.

    python tools/analysis_tools/benchmark.py CONFIG [CHECKPOINT] [--size H [W]] [--batch 2]
        [--threads N] [--warmup 5] [--repeats 20] [--train-warmup 1] [--train-iters 5]
        [--modes eager torchscript onnxruntime] [--reference smp|pranet|nanonet-keras
        --reference-path DIR] [--breakdown STEPS] [--cfg-options KEY=VALUE ...] [--out FILE.json]

For configs of every scope (mmseg, mmdet, mmpretrain), in one process:

* parameters and multiply-adds of one forward pass (mmengine's counter: one
  multiply-add of a convolution or linear layer counts as one);
* inference latency at batch 1 (mean / median / min / max ms, FPS, CPU ms of
  all threads): the network on normalised images up to its probabilities in
  each ``--modes`` (eager PyTorch, frozen TorchScript trace, ONNX Runtime;
  outputs compared with eager), ``model.test_step`` for detectors;
* training throughput: images/s of ``model.train_step`` with the config's
  optimizer on random batches of ``--batch`` images (``--train-iters 0``: skip);
* the process's peak resident memory during each phase;
* ``--breakdown STEPS``: where a training step of ``--batch`` images goes, on the config's own
  training data (converted, at its ``data_root``): loading the samples the first time
  (decoding, resizing, augmenting), loading them again (what ``CachedTransforms`` leaves),
  the data preprocessor, forward with the losses, backward, the optimizer.

``--reference NAME`` builds a reference implementation beside the model and
times it in turns with every measurement, printing the ratio ours/reference:
``smp`` (DivergentNets members; segmentation-models-pytorch installed, or
``--reference-path`` the folder it was ``pip install --target``-ed into),
``pranet`` (``--reference-path`` a checkout of DengPingFan/PraNet) and
``nanonet-keras`` (``--reference-path`` the folder of DebeshJha/NanoNet's
``model.py``, ``se.py``, ``metrics.py``; tensorflow-cpu importable). Reference
code is never part of this repository. Weights are random unless CHECKPOINT is
given (speed does not depend on them; a detector's mask head runs once per
kept box, so give one for a trained detector's latency). Use
``--cfg-options model.data_preprocessor.batch_augments=None`` to time a
multi-scale config at one scale.
"""
import argparse
import json
import os
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))

from mmengine.config import DictAction  # noqa: E402
from mmengine.logging import MMLogger  # noqa: E402

from endommlab.apis import load_config, report_user_errors  # noqa: E402
from endommlab.benchmark import MODES, REFERENCES, ConfigBenchmark  # noqa: E402


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('config')
    parser.add_argument('checkpoint', nargs='?', help='weights (default: random)')
    parser.add_argument('--size', type=int, nargs='+', metavar=('H', 'W'),
                        help="input size (default: the test pipeline's fixed Resize)")
    parser.add_argument('--batch', type=int, default=2, help='training batch size')
    parser.add_argument('--threads', type=int, help='CPU threads (default: torch default)')
    parser.add_argument('--warmup', type=int, default=5, help='untimed inference rounds')
    parser.add_argument('--repeats', type=int, default=20, help='timed inference rounds')
    parser.add_argument('--train-warmup', type=int, default=1, help='untimed training steps')
    parser.add_argument('--train-iters', type=int, default=5, help='timed training steps')
    parser.add_argument('--modes', nargs='+', choices=MODES, default=list(MODES))
    parser.add_argument('--reference', choices=sorted(REFERENCES))
    parser.add_argument('--reference-path', default='', help="the reference's code folder")
    parser.add_argument('--breakdown', type=int, default=0, metavar='STEPS',
                        help='time the parts of STEPS training steps on the training data')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction)
    parser.add_argument('--out', help='write the results as JSON')
    return parser.parse_args()


def print_table(title: str, rows: dict, unit: str, reference: bool) -> None:
    print(f'\n{title}')
    print(f"| {'':<12} | mean ms | median ms | min ms | max ms | {unit:>8} | CPU ms | "
          f"peak RSS MiB |" + (' ours/ref |' if reference else ''))
    print('|---|---:|---:|---:|---:|---:|---:|---:|' + ('---:|' if reference else ''))
    ref = rows.get('reference')
    for name, r in rows.items():
        ratio = f" {r['mean_ms'] / ref['mean_ms']:8.2f} |" if ref and name != 'reference' else \
            ('          |' if reference else '')
        print(f"| {name:<12} | {r['mean_ms']:7.1f} | {r['median_ms']:9.1f} | {r['min_ms']:6.1f} | "
              f"{r['max_ms']:6.1f} | {r['per_s']:8.2f} | {r['cpu_ms']:6.0f} | "
              f"{r['peak_rss_mib']:12.0f} |{ratio}")


def main() -> None:
    args = parse_args()
    MMLogger.get_instance('mmengine', log_level='ERROR')
    cfg = load_config(args.config, args.cfg_options)
    size = None if not args.size else (args.size[0], args.size[-1])
    bench = ConfigBenchmark(cfg, args.checkpoint, size, args.threads, args.reference,
                            args.reference_path)
    results = dict(bench.environment(), batch=args.batch, warmup=args.warmup,
                   repeats=args.repeats, train_iters=args.train_iters)
    results.update(bench.complexity())
    print(f"{args.config}\n{results['cpu']}\n{results['scope']}, "
          f"{results['size'][0]}x{results['size'][1]}, "
          f"{results['threads']} threads, torch {results['torch']}, load average "
          f"{results['load_average'][0]:.2f}; params {results['params']:,}, "
          f"{results['gmacs']:.3f} GMACs" + (
              f"; reference {args.reference}: params {results['reference_params']:,}"
              if args.reference else ''))
    modes = args.modes if results['scope'] != 'mmdet' else ['eager']
    results['inference'] = bench.inference(modes, args.warmup, args.repeats)
    print_table(f'inference, batch 1, {args.repeats} rounds after {args.warmup} warm-up',
                results['inference'], 'FPS', bool(args.reference))
    for mode, r in results['inference'].items():
        if 'max_diff_to_eager' in r:
            print(f"{mode}: largest output difference to eager {r['max_diff_to_eager']:.2e}")
    if args.train_iters:
        results['training'] = bench.training(args.batch, args.train_warmup, args.train_iters)
        print_table(f'training, batch {args.batch}, {args.train_iters} steps after '
                    f'{args.train_warmup} warm-up', results['training'], 'img/s',
                    bool(args.reference))
        print('loss of the last step: ' + ', '.join(
            f"{name} {r['loss']:.4f}" for name, r in results['training'].items()))
    if args.breakdown:
        parts = bench.step_breakdown(args.batch, args.breakdown)
        results['step_breakdown_ms'] = parts
        step = sum(v for k, v in parts.items() if k != 'load_again')
        print(f'\ntraining step, batch {args.batch}, on the training data ({args.breakdown} steps '
              'after 1 untimed): mean ms')
        print('| part | ms | share of a step without a cache | with a warm cache |')
        print('|---|---:|---:|---:|')
        cached = step - parts['load'] + parts['load_again']
        for name, ms in parts.items():
            cold = '' if name == 'load_again' else f'{ms / step:.0%}'
            warm = '' if name == 'load' else f'{ms / cached:.0%}'
            print(f'| {name} | {ms:.1f} | {cold} | {warm} |')
        print(f'| step | | {step:.1f} ms | {cached:.1f} ms |')
    results['load_average_at_end'] = os.getloadavg()
    print(f"load average at end {results['load_average_at_end'][0]:.2f}")
    if args.out:
        os.makedirs(osp.dirname(osp.abspath(args.out)), exist_ok=True)
        with open(args.out, 'w') as f:
            json.dump(results, f, indent=2)
        print(f'written to {args.out}')


if __name__ == '__main__':
    with report_user_errors():
        main()
