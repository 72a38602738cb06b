"""Train any EndoMMLab config (mmdet, mmseg or mmpretrain scope).

    python tools/train.py CONFIG [--work-dir DIR] [--resume [CKPT]] [--amp]
        [--cfg-options KEY=VALUE ...] [--launcher {none,pytorch,slurm,mpi}]
"""
import argparse
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))  # run from a checkout

from endommlab.apis import (add_runner_args, build_runner, parse_runner_args,  # noqa: E402
                            report_user_errors)


def main() -> None:
    parser = argparse.ArgumentParser(description='Train an EndoMMLab model')
    parser.add_argument('config', help='train config file path')
    parser.add_argument('--resume', nargs='?', type=str, const='auto',
                        help='resume from CKPT, or from the latest checkpoint of the work dir '
                        'when no path is given')
    parser.add_argument('--amp', action='store_true', help='automatic mixed precision (GPU)')
    parser.add_argument('--auto-scale-lr', action='store_true',
                        help='scale the learning rate by the actual batch size')
    args = parse_runner_args(add_runner_args(parser))
    with report_user_errors():
        runner = build_runner(args.config, mode='train', work_dir=args.work_dir,
                              cfg_options=args.cfg_options, launcher=args.launcher,
                              amp=args.amp, resume=args.resume, auto_scale_lr=args.auto_scale_lr)
        runner.train()


if __name__ == '__main__':
    main()
