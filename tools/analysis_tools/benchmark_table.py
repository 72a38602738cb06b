"""docs/benchmarks.md's table from the JSON files of ``tools/analysis_tools/benchmark.py``.

    python tools/analysis_tools/benchmark_table.py work_dirs/benchmarks/nanonet-a.json ... \
        [--out table.md]

One Markdown row per file (the row is named after the file), in the order given:
input size, parameters, GMACs, batch-1 latency per inference mode (mean ms),
the reference's latency with ours/reference (eager), training images/s with its
batch, the reference's images/s with ours/reference (time per step), peak
resident memory and the load average at the start and end of the run. Above the
rows, the processor(s) and thread counts the files were measured with.
"""
import argparse
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))
from endommlab.benchmark.report import benchmark_table  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('files', nargs='+', help='JSON files of benchmark.py --out')
    parser.add_argument('--out', help='also write the table to this file')
    args = parser.parse_args()
    missing = [f for f in args.files if not osp.isfile(f)]
    if missing:
        print(f"error: no benchmark result {', '.join(missing)}", file=sys.stderr)
        sys.exit(2)
    table = benchmark_table(args.files)
    print(table, end='')
    if args.out:
        with open(args.out, 'w') as f:
            f.write(table)


if __name__ == '__main__':
    main()
