"""Trim a hybrid-loss classifier checkpoint to its backbone and raw head.

    python tools/model_converters/trim_classifier.py CONFIG CHECKPOINT [--out-dir DIR] [--name NAME]

Writes ``DIR/NAME.py`` (the config with a plain ``LinearClsHead``) and
``DIR/NAME.pth`` (weights of backbone, neck and raw head; loadable with
``torch.load(weights_only=True)``), as ``TrimmingHook`` does at the end of
training (He et al., EndoTect 2020, Fig. 1c). DIR defaults to the checkpoint's
folder, NAME to ``<checkpoint name>_trimmed``. Evaluate the result with
``python tools/test.py DIR/NAME.py DIR/NAME.pth``.
"""
import argparse
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))  # a checkout

from mmengine.config import DictAction  # noqa: E402

from endommlab.apis import load_config, report_user_errors  # noqa: E402
from endommlab.engine.hooks.trimming_hook import KEEP_PREFIXES, save_trimmed  # noqa: E402
from endommlab.errors import ConfigError  # noqa: E402
from endommlab.utils import decode_safe, safe_torch_load  # noqa: E402


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Trim a HybridLossHead classifier checkpoint')
    parser.add_argument('config', help='config the checkpoint was trained with')
    parser.add_argument('checkpoint', help='checkpoint to trim')
    parser.add_argument('--out-dir', help="output folder (default: the checkpoint's folder)")
    parser.add_argument('--name', help='output file name without suffix '
                        '(default: <checkpoint name>_trimmed)')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='override config settings before trimming')
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    with report_user_errors():
        cfg = load_config(args.config, args.cfg_options)
        if not osp.isfile(args.checkpoint):
            raise ConfigError(f'checkpoint {args.checkpoint} does not exist')
        ckpt = safe_torch_load(args.checkpoint, map_location='cpu', name=args.checkpoint)
        state_dict = ckpt.get('state_dict', ckpt)
        meta = decode_safe(ckpt.get('meta', {}))
        meta = {k: meta[k] for k in ('epoch', 'iter', 'dataset_meta') if k in meta}
        out_dir = args.out_dir or osp.dirname(osp.abspath(args.checkpoint))
        name = args.name or osp.splitext(osp.basename(args.checkpoint))[0] + '_trimmed'
        cfg_path, ckpt_path, model = save_trimmed(cfg, state_dict, out_dir, meta, name)
        dropped = {k: v.numel() for k, v in state_dict.items() if not k.startswith(KEEP_PREFIXES)}
        after = sum(p.numel() for p in model.parameters())
        print(f'trimmed config: {cfg_path}\ntrimmed checkpoint: {ckpt_path}\n'
              f'dropped: {", ".join(dropped)}\n'
              f'parameters: {after:,} (untrimmed: {after + sum(dropped.values()):,})')


if __name__ == '__main__':
    main()
