"""Save an ensemble (e.g. DivergentNets) with its members' weights as one checkpoint.

    python tools/model_converters/pack_ensemble.py CONFIG OUT [--cfg-options KEY=VALUE ...]

Builds ``CONFIG``'s model with ``load_member_checkpoints=True`` (each member from its own
config and checkpoint, as listed in the config) and writes ``{'state_dict', 'meta'}`` to
``OUT``, which ``tools/test.py CONFIG OUT`` evaluates.
"""
import argparse
import os
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))

import torch  # noqa: E402
from mmengine.config import DictAction  # noqa: E402
from mmengine.registry import init_default_scope  # noqa: E402
from mmseg.registry import MODELS  # noqa: E402

from endommlab.apis import load_config, report_user_errors  # noqa: E402
from endommlab.errors import ConfigError  # noqa: E402


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Pack an ensemble into one checkpoint')
    parser.add_argument('config', help='ensemble config (model with `members`)')
    parser.add_argument('out', help='output checkpoint file')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='override config settings, e.g. model.members.0.checkpoint=X')
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    with report_user_errors():
        cfg = load_config(args.config, args.cfg_options)
        if 'members' not in cfg.model:
            raise ConfigError(f'{args.config}: the model has no `members`; it is not an ensemble')
        init_default_scope(cfg.get('default_scope', 'mmseg'))
        cfg.model.load_member_checkpoints = True
        model = MODELS.build(cfg.model)
        os.makedirs(osp.dirname(osp.abspath(args.out)), exist_ok=True)
        meta = dict(config=osp.basename(args.config),
                    members=[dict(m) for m in cfg.model.members],
                    member_names=list(getattr(model, 'member_names', [])))
        torch.save(dict(state_dict=model.state_dict(), meta=meta), args.out)
        print(f'packed {len(cfg.model.members)} members into {args.out}')


if __name__ == '__main__':
    main()
