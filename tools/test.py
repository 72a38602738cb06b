"""Evaluate a checkpoint of any EndoMMLab config; prints the config's metrics.

    python tools/test.py CONFIG CHECKPOINT [--work-dir DIR] [--out results.pkl]
        [--show-dir DIR] [--cfg-options KEY=VALUE ...] [--launcher ...]
"""
import argparse
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))  # run from a checkout

from endommlab.apis import (add_runner_args, build_runner, parse_runner_args,  # noqa: E402
                            report_user_errors)


def main() -> None:
    parser = argparse.ArgumentParser(description='Test (and evaluate) an EndoMMLab model')
    parser.add_argument('config', help='test config file path')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument('--out', help='dump every prediction to this pickle file')
    parser.add_argument('--show-dir', help='write pictures of prediction vs ground truth here')
    args = parse_runner_args(add_runner_args(parser))
    with report_user_errors():
        runner = build_runner(args.config, mode='test', work_dir=args.work_dir,
                              cfg_options=args.cfg_options, launcher=args.launcher,
                              checkpoint=args.checkpoint, out=args.out, show_dir=args.show_dir)
        runner.test()


if __name__ == '__main__':
    main()
