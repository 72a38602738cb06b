"""Evaluate a checkpoint of any EndoMMLab config; prints the config's metrics.

    python tools/test.py MODEL [CHECKPOINT] [--work-dir DIR] [--out results.pkl]
        [--show-dir DIR] [--cfg-options KEY=VALUE ...] [--launcher ...]

MODEL is a config file or a model-zoo name; a zoo name without CHECKPOINT scores the
weights shipped with it.
"""
import argparse
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))  # run from a checkout

from endommlab.apis import (add_runner_args, build_runner, parse_runner_args,  # noqa: E402
                            report_user_errors, resolve_model)
from endommlab.errors import ConfigError  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description='Test (and evaluate) an EndoMMLab model')
    parser.add_argument('model', help='config file or model-zoo name')
    parser.add_argument('checkpoint', nargs='?',
                        help="checkpoint file (default: the zoo model's weights)")
    parser.add_argument('--out', help='dump every prediction to this pickle file')
    parser.add_argument('--show-dir', help='write pictures of prediction vs ground truth here')
    args = parse_runner_args(add_runner_args(parser))
    with report_user_errors():
        config, checkpoint = resolve_model(args.model, args.checkpoint)
        if checkpoint is None:
            raise ConfigError(f'{args.model} is a config file: give the checkpoint to test')
        runner = build_runner(config, mode='test', work_dir=args.work_dir,
                              cfg_options=args.cfg_options, launcher=args.launcher,
                              checkpoint=checkpoint, out=args.out, show_dir=args.show_dir)
        runner.test()


if __name__ == '__main__':
    main()
