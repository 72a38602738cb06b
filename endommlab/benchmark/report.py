"""Markdown tables of ``tools/analysis_tools/benchmark.py`` results (docs/benchmarks.md)."""
import json
import os.path as osp
from typing import List

HEADER = ('| model | input | params | GMACs | eager ms | TorchScript ms | ONNX Runtime ms | '
          'reference ms (ours/ref) | train img/s (batch) | reference train img/s '
          '(ours/ref time) | peak RSS MiB | load |')


def _ms(result: dict, mode: str) -> str:
    run = result.get('inference', {}).get(mode)
    return f"{run['mean_ms']:.1f}" if run else '–'


def table_row(name: str, result: dict) -> str:
    """One Markdown row of a ``benchmark.py --out`` result."""
    inference, training = result.get('inference', {}), result.get('training', {})
    cells = [name, 'x'.join(map(str, result['size'])) if result['size'][0] != result['size'][1]
             else f"{result['size'][0]}²", f"{result['params']:,}", f"{result['gmacs']:.2f}",
             _ms(result, 'eager'), _ms(result, 'torchscript'), _ms(result, 'onnxruntime')]
    if 'reference' in inference:
        ratio = inference['eager']['mean_ms'] / inference['reference']['mean_ms']
        cells.append(f"{inference['reference']['mean_ms']:.1f} ({ratio:.2f})")
    else:
        cells.append('–')
    if 'train_step' in training:
        cells.append(f"{training['train_step']['per_s']:.2f} ({result['batch']})")
    else:
        cells.append('–')
    if 'reference' in training:
        ratio = training['train_step']['mean_ms'] / training['reference']['mean_ms']
        cells.append(f"{training['reference']['per_s']:.2f} ({ratio:.2f})")
    else:
        cells.append('–')
    peak = max(run['peak_rss_mib'] for part in (inference, training) for run in part.values())
    cells += [f'{peak:.0f}', f"{result['load_average'][0]:.2f}–"
              f"{result.get('load_average_at_end', result['load_average'])[0]:.2f}"]
    return '| ' + ' | '.join(cells) + ' |'


def benchmark_table(files: List[str]) -> str:
    """The Markdown table of ``files``, preceded by the machines and threads they name."""
    results = []
    for path in files:
        with open(path) as f:
            results.append((osp.splitext(osp.basename(path))[0], json.load(f)))
    machines = sorted({r.get('cpu', 'processor not recorded') for _, r in results})
    threads = sorted({r['threads'] for _, r in results})
    lines = [f"{'; '.join(machines)}; {', '.join(map(str, threads))} thread(s)", '', HEADER,
             '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|']
    lines += [table_row(name, result) for name, result in results]
    return '\n'.join(lines) + '\n'
