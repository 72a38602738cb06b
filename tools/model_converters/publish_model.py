"""Publish a trained checkpoint into the model zoo: weights, training log and curves.

    python tools/model_converters/publish_model.py CONFIG CHECKPOINT NAME [--out-dir model_zoo/DIR]

Writes ``DIR/NAME.pth`` (``state_dict`` and ``meta`` only: no optimizer or runner state, loads
with ``torch.load(weights_only=True)``), ``DIR/NAME.scalars.json`` (the run's
``vis_data/scalars.json``, found beside the checkpoint) and ``DIR/NAME.curves.png`` (validation
Dice and Jaccard against minutes of training where ``WallClockHook`` logged them, else against
epochs; training loss per iteration). The weights are checked against CONFIG first and must
stay under 10 MB, the repository's limit for shipped files. Prints their size and SHA-256.
"""
import argparse
import glob
import hashlib
import os
import os.path as osp
import shutil
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))  # a checkout

import torch  # noqa: E402

from endommlab.apis import init_model, report_user_errors  # noqa: E402
from endommlab.errors import DataError, OutputError  # noqa: E402
from endommlab.utils import plot_training_curves, read_scalars, safe_torch_load  # noqa: E402

MAX_BYTES = 10 * 2**20


def run_scalars(checkpoint: str) -> str:
    """The newest ``<work_dir>/<timestamp>/vis_data/scalars.json`` beside ``checkpoint``."""
    found = sorted(glob.glob(osp.join(osp.dirname(checkpoint), '*', 'vis_data', 'scalars.json')))
    if not found:
        raise DataError(f'no <timestamp>/vis_data/scalars.json beside {checkpoint}')
    return found[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description='Publish a checkpoint into the model zoo')
    parser.add_argument('config')
    parser.add_argument('checkpoint')
    parser.add_argument('name', help='zoo name, e.g. nanonet-a_kvasir-seg')
    parser.add_argument('--out-dir', default='model_zoo', help='folder of the published files')
    args = parser.parse_args()
    with report_user_errors():
        init_model(args.config, args.checkpoint)  # refuses weights that do not fit
        checkpoint = safe_torch_load(args.checkpoint, 'cpu', name=args.checkpoint)
        scalars = run_scalars(args.checkpoint)
        os.makedirs(args.out_dir, exist_ok=True)
        stem = osp.join(args.out_dir, args.name)
        torch.save(dict(state_dict=checkpoint['state_dict'], meta=checkpoint.get('meta', {})),
                   stem + '.pth')
        size = osp.getsize(stem + '.pth')
        if size > MAX_BYTES:
            os.remove(stem + '.pth')
            raise OutputError(f'{stem}.pth would be {size / 2**20:.1f} MB, over the 10 MB '
                              'limit for files in the repository')
        shutil.copyfile(scalars, stem + '.scalars.json')
        _, val = read_scalars(scalars)
        x = 'wall_minutes' if any('wall_minutes' in r for r in val) else 'step'
        plot_training_curves(scalars, stem + '.curves.png', ('polyp/dice', 'polyp/jaccard'),
                             ('loss', ), x=x)
        with open(stem + '.pth', 'rb') as f:
            digest = hashlib.sha256(f.read()).hexdigest()
    print(f'{stem}.pth: {size / 2**20:.2f} MB, sha256 {digest}')
    print(f'{stem}.scalars.json, {stem}.curves.png (validation against {x})')


if __name__ == '__main__':
    main()
