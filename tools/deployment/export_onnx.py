"""Export a segmentation or classification model to ONNX (``torch.onnx``, no mmdeploy).

    python tools/deployment/export_onnx.py MODEL [CHECKPOINT] -o model.onnx
        [--input-size H W] [--dynamic-batch] [--opset 17] [--cfg-options ...]
        [--int8 FOLDER|DIR:SPLIT [--calibration-images 64]]

MODEL is a config file or a model-zoo name (its shipped weights unless CHECKPOINT is given).
The graph maps normalised images ``(N, 3, H, W)`` to the polyp logits
``(N, M, H, W)`` (segmentors; ``M`` members of an ensemble, else 1) or the class
probabilities ``(N, C)`` (classifiers).
Its metadata holds the rest (input size, mean/std, channel order, threshold,
threshold post-processing, classes), so that
``tools/infer.py CONFIG model.onnx INPUT --backend onnxruntime`` needs nothing
else. The input size defaults to the test pipeline's. The export is checked on
a random input: the largest difference from PyTorch is printed.

``--int8 FOLDER`` also writes ``<out>.int8.onnx``: the same graph with INT8
convolutions (static post-training quantisation calibrated on images of
FOLDER, or of a converted set's split ``DIR:SPLIT`` such as
``data/kvasir-seg:train``; see :func:`endommlab.deployment.quantize_onnx`), and
prints how often its masks agree with the float model's on those images.
Calibrate on training images, never on the images you will score.
"""
import argparse
import os
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))  # a checkout

import numpy as np  # noqa: E402
import torch  # noqa: E402
from mmengine.config import DictAction  # noqa: E402

from endommlab.apis import init_model, load_config, report_user_errors, resolve_model  # noqa: E402
from endommlab.deployment import (DeployWrapper, ONNXRuntimeModel, calibration_images,  # noqa: E402
                                  export_onnx, quantize_onnx)
from endommlab.errors import ConfigError  # noqa: E402
from endommlab.structures import load_image  # noqa: E402


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Export a model to ONNX')
    parser.add_argument('model', help='config file or model-zoo name')
    parser.add_argument('checkpoint', nargs='?',
                        help="checkpoint (.pth); default: the zoo model's weights")
    parser.add_argument('-o', '--out', required=True, help='output .onnx file')
    parser.add_argument('--input-size', type=int, nargs=2, metavar=('H', 'W'),
                        help="network input size (default: the test pipeline's resize)")
    parser.add_argument('--dynamic-batch', action='store_true', help='symbolic batch size')
    parser.add_argument('--opset', type=int, default=17, help='ONNX opset')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='override config settings')
    parser.add_argument('--int8', metavar='FOLDER|DIR:SPLIT',
                        help='also write <out>.int8.onnx, calibrated on images of a folder or '
                        'of a converted data set split')
    parser.add_argument('--calibration-images', type=int, default=64,
                        help='images of FOLDER used for the INT8 calibration (evenly spaced)')
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    with report_user_errors():
        config, checkpoint = resolve_model(args.model, args.checkpoint)
        if checkpoint is None:
            raise ConfigError(f'{args.model} is a config file: give the checkpoint to export')
        cfg = load_config(config, args.cfg_options)
        model = init_model(cfg, checkpoint)
        os.makedirs(osp.dirname(osp.abspath(args.out)), exist_ok=True)
        meta = export_onnx(model, cfg, args.out, args.input_size, args.dynamic_batch, args.opset)
        h, w = meta['input_size']
        x = torch.randn(2 if args.dynamic_batch else 1, 3, h, w)
        with torch.no_grad():
            expected = DeployWrapper(model, meta['output'])(x).numpy()
        got = ONNXRuntimeModel(args.out, cfg).forward(x.numpy())
    print(f"exported {args.out} ({osp.getsize(args.out) / 2**20:.1f} MiB): input "
          f"{'N' if args.dynamic_batch else 1}x3x{h}x{w}, output {meta['output']}; max |ONNX "
          f'Runtime - PyTorch| on a random input: {np.abs(got - expected).max():.2e}')
    if args.int8:
        with report_user_errors():
            int8_file = f'{osp.splitext(args.out)[0]}.int8.onnx'
            images = calibration_images(args.int8, args.calibration_images)
            quantize_onnx(args.out, int8_file, images)
            agreement = agreement_with_float(args.out, int8_file, images)
        print(f'exported {int8_file} ({osp.getsize(int8_file) / 2**20:.1f} MiB), INT8 calibrated '
              f'on {len(images)} images of {args.int8}; it agrees with the float model on '
              f'{100 * agreement:.2f} % of the mask pixels (classifiers: of the top classes)')


def agreement_with_float(float_file: str, int8_file: str, images: list) -> float:
    """Fraction of mask pixels (classifiers: of images' top classes) where two files agree."""
    models = [ONNXRuntimeModel(f) for f in (float_file, int8_file)]
    same = total = 0
    for path in images:
        image = load_image(path)
        a, b = (m(image) for m in models)
        if a.mask is None:
            same, total = same + int(a.pred_label == b.pred_label), total + 1
        else:
            same, total = same + int((a.mask == b.mask).sum()), total + a.mask.size
    return same / total


if __name__ == '__main__':
    main()
