"""Calibrate threshold post-processing for few false polyps on frames without one; write the
config that applies it.

    python tools/analysis_tools/calibrate_post_process.py MODEL [CHECKPOINT] \
        --positives data/kvasir-seg:train --negatives data/polypgen-negatives:calib \
        [--max-positives 200] [--max-false-alarm 0.1] -o configs/nanonet/NAME.py \
        [--report-dir docs/results]

MODEL is a config or a model-zoo name. The model runs once over the positive frames (polyps) and
the negative frames (none), both converted sets (``DIR:SPLIT``); every pair of a polarisation
threshold and a reference area is scored (Dice over the positives, false-alarm rate over the
negatives), and the best Dice whose false-alarm rate is at most ``--max-false-alarm`` is written
as a config that inherits MODEL's and wraps it in ``ThresholdPostProcessSegmentor``. Beside it, or
in ``--report-dir``: ``<name>.calibration.json`` (every pair, the Pareto front, the command) and
``<name>.calibration.png`` (false-alarm rate against Dice). Calibrate on frames you will not
score: training images and negative sequences held back from the test.
"""
import argparse
import json
import os
import os.path as osp
import shlex
import sys
import textwrap
from typing import List

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))

from matplotlib.figure import Figure  # noqa: E402
from torch.utils.data import DataLoader, Subset  # noqa: E402

from endommlab.apis import init_model, report_user_errors, resolve_model  # noqa: E402
from endommlab.benchmark import DataSpec, calibrate, collect_counts, pareto_front  # noqa: E402
from endommlab.benchmark.generalisation import build_test_loader  # noqa: E402
from endommlab.errors import ConfigError, DataError  # noqa: E402

HEADER = '''{model} with threshold post-processing (Yu et al., EndoCV 2021, section 2.3) calibrated
for at most {max_fa:.0%} of frames without a polyp marked: on {positives} ({n_pos} frames with a
polyp) Dice {dice:.4f}, on {negatives} ({n_neg} without) false-alarm rate {fa:.4f}. Every pair,
the trade-off curve and the exact command: {stem}.calibration.json and .png. Written by'''
CONFIG_TEMPLATE = '''{header}
_base_ = '{base}'
{model_block}
val_evaluator = [
    dict(type='PolypSegMetric'),  # with the post-processing
    dict(type='RawPolypSegMetric')  # without it, and the number of emptied frames
]
test_evaluator = val_evaluator
'''
WRAP = '''model = dict(
    _delete_=True,
    type='ThresholdPostProcessSegmentor',
    segmentor={{{{_base_.model}}}},
    test_cfg=dict(
        reference_area={area},  # fraction of the frame; smaller predictions are emptied
        area_unit='fraction',
        threshold={threshold}))  # polarisation threshold of the polyp probability'''
REPLACE = '''model = dict(test_cfg=dict(
    reference_area={area},  # fraction of the frame; smaller predictions are emptied
    threshold={threshold}))  # polarisation threshold of the polyp probability'''


def comment(text: str, argv: List[str], width: int = 100) -> str:
    """``text`` wrapped as ``#`` comment lines, then the command ``argv`` one option a line
    (a path too long for ``width`` keeps its line, marked for the linter)."""
    lines = textwrap.wrap(' '.join(text.split()), width - 2, break_long_words=False,
                          break_on_hyphens=False)
    parts, i = ['python ' + shlex.quote(argv[0]) + ' ' + shlex.quote(argv[1])], 2
    while i < len(argv):
        take = 2 if argv[i].startswith('-') and i + 1 < len(argv) and \
            not argv[i + 1].startswith('-') else 1
        parts.append(' '.join(shlex.quote(a) for a in argv[i:i + take]))
        i += take
    command = ['  ' + parts[0]] + ['    ' + p for p in parts[1:]]
    out = [f'# {line}' for line in lines]
    out += [f'# {line}' for line in command]
    return '\n'.join(line if len(line) <= width else line + '  # noqa: E501' for line in out)


def plot(grid: list, front: list, best: dict, max_fa: float, out: str) -> None:
    fig = Figure(figsize=(6, 4.5), tight_layout=True)
    ax = fig.add_subplot()
    ax.scatter([g['false_alarm_rate'] for g in grid], [g['dice'] for g in grid], s=8,
               color='0.7', label='threshold x area pairs')
    ax.plot([g['false_alarm_rate'] for g in front], [g['dice'] for g in front], marker='o',
            label='best trade-offs')
    if best:
        ax.scatter([best['false_alarm_rate']], [best['dice']], s=80, color='C3', zorder=3,
                   label=f"chosen: threshold {best['threshold']}, area {best['reference_area']}")
    ax.axvline(max_fa, color='C3', linestyle=':', label=f'target {max_fa:.0%}')
    ax.set_xlabel('frames without a polyp marked (false-alarm rate)')
    ax.set_ylabel('Dice on frames with a polyp')
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    fig.savefig(out, dpi=100)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('model', help='config file or model-zoo name')
    parser.add_argument('checkpoint', nargs='?', help="default: the zoo model's weights")
    parser.add_argument('--positives', required=True, metavar='DIR:SPLIT')
    parser.add_argument('--negatives', required=True, metavar='DIR:SPLIT')
    parser.add_argument('--max-positives', type=int, default=200,
                        help='evenly spaced positive frames used (0: all)')
    parser.add_argument('--max-false-alarm', type=float, default=0.1)
    parser.add_argument('-o', '--out', required=True, help='config file to write')
    parser.add_argument('--report-dir', help='folder of the .calibration.json/.png '
                        "(default: the config's)")
    args = parser.parse_args()
    with report_user_errors():
        config, checkpoint = resolve_model(args.model, args.checkpoint)
        if checkpoint is None:
            raise ConfigError(f'{args.model} is a config file: give the checkpoint')
        model = init_model(config, checkpoint)
        cfg = model.cfg
        counts = {}
        for kind, spec in (('positives', args.positives), ('negatives', args.negatives)):
            data = DataSpec.parse(f'{kind}={spec}')
            loader = build_test_loader(cfg, data, instances=False, num_workers=0)
            if kind == 'positives' and args.max_positives and \
                    len(loader.dataset) > args.max_positives:
                step = len(loader.dataset) / args.max_positives
                keep = [int(i * step) for i in range(args.max_positives)]  # evenly spaced
                loader = DataLoader(Subset(loader.dataset, keep), batch_size=1,
                                    collate_fn=loader.collate_fn)
            counts[kind] = collect_counts(model, loader, title=f'{kind}: {spec} '
                                          f'({len(loader.dataset)} frames)')
        if not any(f.gt_pixels for f in counts['positives']):
            raise DataError(f'{args.positives} holds no frame with a polyp')
        if any(f.gt_pixels for f in counts['negatives']):
            raise DataError(f'{args.negatives} holds frames with a polyp: not a negative set')
        best, grid = calibrate(counts['positives'], counts['negatives'], args.max_false_alarm)
        front = pareto_front(grid)
        out_dir = osp.dirname(args.out)
        stem = osp.join(args.report_dir or out_dir, osp.splitext(osp.basename(args.out))[0])
        for folder in {osp.abspath(out_dir), osp.abspath(osp.dirname(stem))}:
            os.makedirs(folder, exist_ok=True)
        command = 'python ' + ' '.join(shlex.quote(a) for a in sys.argv)
        with open(stem + '.calibration.json', 'w') as f:
            json.dump(dict(command=command, model=args.model, config=config,
                           positives=args.positives, negatives=args.negatives,
                           max_false_alarm=args.max_false_alarm, best=best, pareto_front=front,
                           grid=grid), f, indent=1)
        plot(grid, front, best, args.max_false_alarm, stem + '.calibration.png')
        if best is None:
            lowest = front[0]
            raise DataError(f'no threshold and area keep false alarms at or below '
                            f'{args.max_false_alarm:.0%} (lowest: '
                            f"{lowest['false_alarm_rate']:.2%} at Dice {lowest['dice']:.4f}); "
                            f'the trade-off curve is in {stem}.calibration.png')
        template = REPLACE if cfg.model.get('type') == 'ThresholdPostProcessSegmentor' else WRAP
        block = template.format(area=best['reference_area'], threshold=best['threshold'])
        with open(args.out, 'w') as f:
            header = HEADER.format(
                model=args.model, max_fa=args.max_false_alarm,
                positives=args.positives, n_pos=len(counts['positives']),
                negatives=args.negatives, n_neg=len(counts['negatives']), dice=best['dice'],
                fa=best['false_alarm_rate'], stem=stem)
            f.write(CONFIG_TEMPLATE.format(
                header=comment(header, sys.argv), model_block=block,
                base=osp.relpath(config, osp.dirname(osp.abspath(args.out)))))
    print(f"threshold {best['threshold']}, reference area {best['reference_area']}: Dice "
          f"{best['dice']:.4f} on the positives, false-alarm rate "
          f"{best['false_alarm_rate']:.4f} on the negatives")
    print(f'written: {args.out}, {stem}.calibration.json, {stem}.calibration.png')


if __name__ == '__main__':
    main()
