"""One-command generalisation benchmark: models x converted data sets -> one table.

    python tools/analysis_tools/generalisation.py \
        --models [NAME=]CONFIG:CHECKPOINT [...] --data NAME=DIR[:SPLIT] [...] \
        [--in-distribution NAME] [--post-process on off] [--tolerance 10] \
        [--cfg-options KEY=VALUE ...] [--num-workers 0] [--out-dir work_dirs/generalisation]

Per data set and model: images, negatives, the EndoCV2021 columns (Jaccard,
Dice, F2, precision, recall, accuracy, normalised Hausdorff), the PraNet
protocol (mean Dice/IoU over 256 thresholds, weighted F, S-measure, mean
E-measure, MAE, by ``pysodmetrics``) and the mean FPS; across data sets the
mean, and the EndoCV2021 generalisation score and gap of every other set
against the in-distribution one (default: the first ``--data``). DIR is a set
written by ``tools/dataset_converters/*``; SPLIT defaults to ``test`` where the
set has one, else ``val``. ``--post-process on off`` scores a config with
threshold post-processing with and without it. The table is printed and
written as Markdown, CSV and JSON to ``--out-dir``.
"""
import argparse
import csv
import json
import os
import os.path as osp
import sys
from typing import Dict, Sequence

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))

from mmengine.config import DictAction  # noqa: E402
from mmengine.logging import MMLogger  # noqa: E402
from prettytable import PrettyTable  # noqa: E402

from endommlab.apis import report_user_errors  # noqa: E402
from endommlab.benchmark import (COLUMNS, DataSpec, ModelSpec, add_summary_rows,  # noqa: E402
                                 run_benchmark)
from endommlab.errors import ConfigError, OutputError  # noqa: E402


def _cell(value) -> str:
    if value is None:
        return ''
    return f'{value:.4f}' if isinstance(value, float) else str(value)


def make_out_dir(out_dir: str) -> None:
    """Create ``out_dir`` before any model runs: a bad folder is known at once."""
    try:
        os.makedirs(out_dir, exist_ok=True)
    except OSError as e:
        raise OutputError(f'cannot create --out-dir {out_dir} ({e.strerror})') from None


def write_table(rows: Sequence[dict], out_dir: str, meta: dict) -> Dict[str, str]:
    """Write ``generalisation.{md,csv,json}`` to ``out_dir``; return the table as text too."""
    make_out_dir(out_dir)
    paths = {ext: osp.join(out_dir, f'generalisation.{ext}') for ext in ('md', 'csv', 'json')}
    cells = [[_cell(r[c]) for c in COLUMNS] for r in rows]
    with open(paths['md'], 'w') as f:
        f.write('| ' + ' | '.join(COLUMNS) + ' |\n|' + '---|' * len(COLUMNS) + '\n')
        f.writelines('| ' + ' | '.join(row) + ' |\n' for row in cells)
    with open(paths['csv'], 'w', newline='') as f:
        writer = csv.DictWriter(f, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    with open(paths['json'], 'w') as f:
        json.dump(dict(meta, columns=list(COLUMNS), rows=list(rows)), f, indent=2)
    table = PrettyTable(field_names=list(COLUMNS))
    table.add_rows(cells)
    paths['text'] = table.get_string()
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--models', nargs='+', required=True, metavar='[NAME=]CONFIG:CHECKPOINT')
    parser.add_argument('--data', nargs='+', required=True, metavar='NAME=DIR[:SPLIT]')
    parser.add_argument('--in-distribution', help='the --data name the gap is measured from '
                        '(default: the first)')
    parser.add_argument('--post-process', nargs='+', choices=['on', 'off'], default=['on'],
                        help='columns for configs with threshold post-processing')
    parser.add_argument('--tolerance', type=float, default=10.0,
                        help="EndoCV2021 gap tolerance in percent (the toolbox's tol_limit)")
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='override settings of every config, e.g. img_scale=(64,64)')
    parser.add_argument('--num-workers', type=int, default=0, help='dataloader workers')
    parser.add_argument('--out-dir', default='work_dirs/generalisation')
    args = parser.parse_args()
    with report_user_errors():
        models = [ModelSpec.parse(m) for m in args.models]
        data = [DataSpec.parse(d) for d in args.data]
        in_distribution = args.in_distribution or data[0].name
        if in_distribution not in [d.name for d in data]:
            raise ConfigError(f'--in-distribution {in_distribution} is not a --data name')
        make_out_dir(args.out_dir)
        MMLogger.get_instance('generalisation', log_level='WARNING')  # metrics' own tables off
        rows = run_benchmark(models, data, args.post_process, args.cfg_options, args.num_workers)
        rows = add_summary_rows(rows, in_distribution, args.tolerance)
        paths = write_table(rows, args.out_dir, dict(
            in_distribution=in_distribution, tolerance=args.tolerance,
            models=[vars(m) for m in models], data=[vars(d) for d in data]))
    print(paths.pop('text'))
    print('written: ' + ', '.join(paths.values()))


if __name__ == '__main__':
    main()
