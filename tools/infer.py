"""Run a model on an image, a folder of images or a video.

    python tools/infer.py MODEL [CHECKPOINT] INPUT --out-dir DIR
        [--backend pytorch|torchscript|onnxruntime] [--device cpu] [--threads N]

MODEL is a config file or a model-zoo name (``nanonet-a_kvasir-seg``), whose shipped weights
are used when no CHECKPOINT is given. INPUT is an image, a folder (searched recursively by
extension) or a video file. CHECKPOINT is a ``.pth`` checkpoint (pytorch, torchscript) or a
``.onnx`` file from ``tools/deployment/export_onnx.py`` (onnxruntime). Writes, under DIR,
binary masks ``masks/*.png`` (0/255, original size), overlays
``overlays/*.png`` (a video: ``<name>_overlay.mp4`` at the input frame rate),
and ``results.csv`` / ``results.json`` (per frame: index, file, polyp present,
area, score, ms; the summary). Prints a progress bar and a summary line with
mean/min/max ms and FPS; unreadable images of a folder are skipped and named.
"""
import argparse
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))  # run from a checkout

from mmengine.config import DictAction  # noqa: E402

from endommlab.apis import BACKENDS, PolypInferencer, report_user_errors  # noqa: E402


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Polyp segmentation / classification inference')
    parser.add_argument('model', help='config file or model-zoo name')
    parser.add_argument('checkpoint', nargs='?',
                        help='checkpoint (.pth) or exported model (.onnx); default: the zoo '
                        "model's weights")
    parser.add_argument('input', help='image, folder of images or video file')
    parser.add_argument('--out-dir', required=True, help='output folder')
    parser.add_argument('--backend', choices=BACKENDS, default='pytorch')
    parser.add_argument('--device', default='cpu', help='torch device (pytorch backend)')
    parser.add_argument('--threads', type=int, help='intra-op CPU threads')
    parser.add_argument('--no-progress', action='store_true', help='no progress bar')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='override config settings (pytorch and torchscript backends)')
    return parser.parse_intermixed_args()  # options may sit between the positionals


def main() -> None:
    args = parse_args()
    with report_user_errors():
        inferencer = PolypInferencer(args.model, args.checkpoint, backend=args.backend,
                                     device=args.device, threads=args.threads,
                                     cfg_options=args.cfg_options, probability=False)
        run = inferencer(args.input, out_dir=args.out_dir, keep_results=False,
                         progress=not args.no_progress)
    print(f'{args.backend}: {run.summary_line()}')
    print(f'written to {args.out_dir}')


if __name__ == '__main__':
    main()
