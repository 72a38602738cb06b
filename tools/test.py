"""Evaluate a checkpoint of any EndoMMLab config; prints the config's metrics.

    python tools/test.py CONFIG CHECKPOINT [--work-dir DIR] [--out results.pkl]
        [--show-dir DIR] [--cfg-options KEY=VALUE ...] [--launcher ...]
"""
import argparse
import os
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))  # run from a checkout

from endommlab.apis import build_runner, report_user_errors  # noqa: E402
from mmengine.config import DictAction  # noqa: E402


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Test (and evaluate) an EndoMMLab model')
    parser.add_argument('config', help='test config file path')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument('--work-dir', help='directory for the evaluation log and metrics')
    parser.add_argument('--out', help='dump every prediction to this pickle file')
    parser.add_argument('--show-dir', help='write pictures of prediction vs ground truth here')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='override config settings, e.g. test_dataloader.batch_size=2')
    parser.add_argument('--launcher', choices=['none', 'pytorch', 'slurm', 'mpi'], default='none',
                        help='job launcher')
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    args = parser.parse_args()
    if 'LOCAL_RANK' not in os.environ:
        os.environ['LOCAL_RANK'] = str(args.local_rank)
    return args


def main() -> None:
    args = parse_args()
    with report_user_errors():
        runner = build_runner(args.config, mode='test', work_dir=args.work_dir,
                              cfg_options=args.cfg_options, launcher=args.launcher,
                              checkpoint=args.checkpoint, out=args.out, show_dir=args.show_dir)
        runner.test()


if __name__ == '__main__':
    main()
