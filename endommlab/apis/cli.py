"""Command-line options every EndoMMLab tool shares (the OpenMMLab conventions)."""
import argparse
import os

from mmengine.config import DictAction


def add_runner_args(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """``--work-dir``, ``--cfg-options``, ``--launcher`` and ``--local-rank``."""
    parser.add_argument('--work-dir', help='directory for logs, metrics and checkpoints '
                        '(default: work_dirs/<config name>)')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='override config settings, e.g. train_cfg.max_epochs=2')
    parser.add_argument('--launcher', choices=['none', 'pytorch', 'slurm', 'mpi'], default='none',
                        help='job launcher')
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    return parser


def parse_runner_args(parser: argparse.ArgumentParser) -> argparse.Namespace:
    """Parse, and export ``LOCAL_RANK`` for launchers that pass it as an argument."""
    args = parser.parse_args()
    os.environ.setdefault('LOCAL_RANK', str(args.local_rank))
    return args
