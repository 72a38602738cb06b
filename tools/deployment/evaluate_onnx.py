"""Score exported models (float or INT8) on a converted data set, side by side.

    python tools/deployment/evaluate_onnx.py MODEL.onnx [MODEL.int8.onnx ...] --data DIR[:SPLIT]
        [--threads 2] [--out scores.json]

Each ``.onnx`` file from ``tools/deployment/export_onnx.py`` runs in ONNX Runtime
with the pre- and post-processing of ``tools/infer.py --backend onnxruntime`` on
every image of ``DIR/splits/SPLIT.txt`` (default split ``val``); its masks are
scored at the original size with the EndoCV2021 metrics (as ``tools/test.py``'s
``PolypSegMetric``). Prints one row per model: Jaccard, Dice, F2, precision,
recall, accuracy, normalised Hausdorff, mean ms per image (decoding excluded),
FPS, and the fraction of pixels where its masks equal the first model's.
"""
import argparse
import json
import os
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))  # a checkout

from mmengine.utils import ProgressBar  # noqa: E402

from endommlab.apis import report_user_errors  # noqa: E402
from endommlab.deployment import ONNXRuntimeModel  # noqa: E402
from endommlab.deployment.deployed_evaluation import evaluate_deployed, split_samples  # noqa: E402
from endommlab.evaluation.functional.polyp_metrics import SCORE_KEYS  # noqa: E402


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Score exported ONNX models on a data set')
    parser.add_argument('models', nargs='+', help='.onnx files (the first is the reference '
                        'of the agreement column)')
    parser.add_argument('--data', required=True, help='converted data set DIR[:SPLIT]')
    parser.add_argument('--threads', type=int, help='ONNX Runtime intra-op threads')
    parser.add_argument('--out', help='also write the scores as JSON')
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    root, _, split = args.data.partition(':')
    with report_user_errors():
        models = {osp.basename(f): ONNXRuntimeModel(f, threads=args.threads)
                  for f in args.models}
        for model in models.values():
            model.with_probability = False
        samples = split_samples(root, split or 'val')
        bar = ProgressBar(len(samples), file=sys.stderr)  # images scored by every model
        try:
            scores = evaluate_deployed(models, samples, bar.update)
        finally:
            bar.file.write('\n')
    print(f"{'model':<28}" + ''.join(f'{k:>10}' for k in SCORE_KEYS)
          + f"{'ms':>8}{'FPS':>7}{'agree':>8}")
    for name, s in scores.items():
        print(f'{name:<28}' + ''.join(f'{s[k]:>10.4f}' for k in SCORE_KEYS)
              + f"{s['ms']:>8.1f}{s['fps']:>7.1f}{s['agreement']:>8.4f}")
    print(f"{len(samples)} images of {root} ({split or 'val'})")
    if args.out:
        os.makedirs(osp.dirname(osp.abspath(args.out)), exist_ok=True)
        with open(args.out, 'w') as f:
            json.dump(dict(data=args.data, threads=args.threads, scores=scores), f, indent=2)


if __name__ == '__main__':
    main()
