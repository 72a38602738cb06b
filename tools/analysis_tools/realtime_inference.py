"""End-to-end per-frame CPU latency of every inference backend, side by side in one run.

    python tools/analysis_tools/realtime_inference.py [--frames DIR_OR_VIDEO] [--threads 2]
        [--models nanonet-a nanonet-b nanonet-c ra-brp@352 ra-brp@512 mbv3-untrimmed mbv3-trimmed]
        [--backends pytorch torchscript onnxruntime onnxruntime-int8] [--nanonet-shortcut conv|bn]
        [--warmup 10] [--max-frames 200] [--max-seconds 20]
        [--keras-python /tmp/tfenv/bin/python --keras-code /tmp/nanonet_keras]
        [--out work_dirs/benchmarks/realtime_inference.json]

Each frame goes the whole way ``tools/infer.py`` takes: decoding (JPEG images of
a folder, default ``../shared/data/kvasir-seg/images``, or a video), resize,
normalisation, the network, sigmoid/softmax, threshold and the resize back to
the frame's size, batch 1 (:class:`endommlab.apis.PolypInferencer`, random
weights). Each model/backend pair runs in a fresh process after ``--warmup``
frames, for ``--max-frames`` frames or ``--max-seconds``. With ``--keras-python``
(a Python with tensorflow-cpu and opencv) and ``--keras-code`` (a folder with the
authors' NanoNet ``model.py``/``se.py``, kept outside this repository) the
authors' Keras NanoNet-A/B/C run in the same way on the same frames
(``keras_nanonet_frames.py``). The load average is printed at start and end.
"""
import argparse
import glob
import json
import os
import os.path as osp
import subprocess
import sys
import tempfile

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
sys.path.insert(0, REPO)

#: name -> (config relative to configs/, input size, trimmed classifier)
MODELS = {
    'nanonet-a': ('nanonet/nanonet-a_mobilenetv2-0.5_1xb16-200e_kvasir-seg-256x256.py', 256, False),
    'nanonet-b': ('nanonet/nanonet-b_mobilenetv2-0.35_1xb16-200e_kvasir-seg-256x256.py', 256,
                  False),
    'nanonet-c': ('nanonet/nanonet-c_mobilenetv2-0.35_1xb16-200e_kvasir-seg-256x256.py', 256,
                  False),
    'ra-brp@352': ('reverse_attention/ra-brp_res2net50-v1b_1xb16-20e_kvasir-seg-512x512.py', 352,
                   False),
    'ra-brp@512': ('reverse_attention/ra-brp_res2net50-v1b_1xb16-20e_kvasir-seg-512x512.py', 512,
                   False),
    'mbv3-untrimmed': ('hybrid_loss_classifier/mobilenetv3-large_hybrid_hyperkvasir.py', 224,
                       False),
    'mbv3-trimmed': ('hybrid_loss_classifier/mobilenetv3-large_hybrid_hyperkvasir.py', 224, True),
}
BACKENDS = ('pytorch', 'torchscript', 'onnxruntime', 'onnxruntime-int8')


def frame_list(source: str, max_frames: int) -> list:
    """Image paths of a folder (first ``max_frames``), or ``[video]``."""
    if osp.isdir(source):
        return sorted(glob.glob(osp.join(source, '*.jpg')) + glob.glob(osp.join(source, '*.png'))
                      )[:max_frames]
    return [source]


def measure(name: str, backend: str, args: argparse.Namespace) -> dict:
    """One model with one backend (in a fresh process)."""
    import cv2
    import numpy as np
    import torch
    from mmengine.logging import MMLogger

    from endommlab.apis import (InferenceInput, InferenceRun, PolypInferencer, init_model,
                                load_config)
    from endommlab.deployment import calibration_images, export_onnx, quantize_onnx
    from endommlab.engine.hooks import save_trimmed
    MMLogger.get_instance('mmengine', log_level='ERROR')
    torch.set_num_threads(args.threads)
    cv2.setNumThreads(1)  # as in the Keras runs: the threads are the network's
    config, size, trimmed = MODELS[name]
    config = osp.join(REPO, 'configs', config)
    options = {'test_dataloader.dataset.pipeline.1.scale': (size, size)}
    if name.startswith('nanonet'):
        options['model.decode_head.shortcut'] = args.nanonet_shortcut
    with tempfile.TemporaryDirectory() as tmp:
        cfg = load_config(config, options)
        torch.manual_seed(0)
        model = init_model(cfg)
        checkpoint = osp.join(tmp, 'model.pth')
        torch.save({'state_dict': model.state_dict(), 'meta': {}}, checkpoint)
        if trimmed:
            config, checkpoint, _ = save_trimmed(cfg, model.state_dict(), tmp, name='trimmed')
            cfg = load_config(config, options)
            model = init_model(cfg, checkpoint)
        if backend.startswith('onnxruntime'):
            checkpoint = osp.join(tmp, 'model.onnx')
            export_onnx(model, cfg, checkpoint)
        if backend == 'onnxruntime-int8':  # calibrated on frames of the folder (speed only)
            images = calibration_images(args.frames, 32) if osp.isdir(args.frames) else []
            quantize_onnx(checkpoint, osp.join(tmp, 'model.int8.onnx'), images)
            checkpoint = osp.join(tmp, 'model.int8.onnx')
        inferencer = PolypInferencer(config, checkpoint, backend=backend.split('-')[0],
                                     threads=args.threads,
                                     cfg_options=options, probability=False)  # as infer.py
        frames = frame_list(args.frames, args.max_frames + args.warmup)
        source = InferenceInput(frames if len(frames) > 1 else frames[0])
        times, spent = [], 0.0
        for frame, result in inferencer.iter_results(source):
            if frame.index >= args.warmup:
                times.append(result.ms)
                spent += result.ms / 1000
            if len(times) >= args.max_frames or (spent > args.max_seconds and len(times) >= 5):
                break
    return dict(InferenceRun(times_ms=times).summary(), median_ms=float(np.median(times)),
                threads=torch.get_num_threads(), params=sum(p.numel() for p in model.parameters()))


def child(args: argparse.Namespace, *extra: str) -> dict:
    cmd = [sys.executable, '-W', 'ignore', osp.abspath(__file__), '--frames', args.frames,
           '--threads', str(args.threads), '--warmup', str(args.warmup), '--max-frames',
           str(args.max_frames), '--max-seconds', str(args.max_seconds),
           '--nanonet-shortcut', args.nanonet_shortcut, *extra]
    out = subprocess.run(cmd, capture_output=True, text=True)
    if out.returncode:
        raise RuntimeError(f'{" ".join(extra)} failed:\n{out.stderr[-3000:]}')
    return json.loads(out.stdout.strip().splitlines()[-1])


def keras(variant: str, args: argparse.Namespace) -> dict:
    if not osp.isdir(args.frames):
        raise SystemExit('the Keras runs read images: --frames must be a folder')
    frames = frame_list(args.frames, args.max_frames + args.warmup)
    cmd = [args.keras_python, osp.join(osp.dirname(osp.abspath(__file__)),
                                       'keras_nanonet_frames.py'),
           '--code', args.keras_code, '--variant', variant, '--threads', str(args.threads),
           '--warmup', str(args.warmup), '--max-seconds', str(args.max_seconds),
           '--frames', *frames]
    out = subprocess.run(cmd, capture_output=True, text=True)
    if out.returncode:
        raise RuntimeError(f'Keras NanoNet-{variant} failed:\n{out.stderr[-3000:]}')
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--frames', default=osp.join(osp.dirname(REPO), 'shared', 'data',
                                                     'kvasir-seg', 'images'),
                        help='folder of images or a video file')
    parser.add_argument('--models', nargs='+', default=list(MODELS), choices=list(MODELS))
    parser.add_argument('--backends', nargs='+', default=list(BACKENDS), choices=BACKENDS)
    parser.add_argument('--threads', type=int, default=2)
    parser.add_argument('--nanonet-shortcut', choices=['conv', 'bn'], default='conv',
                        help="NanoNet residual shortcut: 'conv' (paper, the configs') or 'bn'")
    parser.add_argument('--warmup', type=int, default=10)
    parser.add_argument('--max-frames', type=int, default=200)
    parser.add_argument('--max-seconds', type=float, default=20)
    parser.add_argument('--keras-python', help='Python with tensorflow-cpu and opencv')
    parser.add_argument('--keras-code', help="folder with the authors' NanoNet model.py")
    parser.add_argument('--out', default='work_dirs/benchmarks/realtime_inference.json')
    parser.add_argument('--child', nargs=2, metavar=('MODEL', 'BACKEND'), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(*args.child, args)))
        return
    from endommlab.benchmark import cpu_description
    results = dict(frames=args.frames, threads=args.threads, warmup=args.warmup,
                   nanonet_shortcut=args.nanonet_shortcut, cpu=cpu_description(),
                   load_average_at_start=os.getloadavg(), runs={})
    print(results['cpu'])
    print(f'end to end per frame, batch 1, {args.threads} threads, frames from {args.frames}, '
          f'NanoNet shortcut {args.nanonet_shortcut} (load average at start '
          f"{results['load_average_at_start'][0]:.2f})")
    print(f"{'model':<15} {'backend':<16} {'frames':>6} {'mean ms':>8} {'median':>8} "
          f"{'min':>7} {'max':>7} {'FPS':>7}")

    def show(name: str, backend: str, r: dict) -> None:
        results['runs'][f'{name}/{backend}'] = r
        print(f"{name:<15} {backend:<16} {r['frames']:>6} {r['mean_ms']:>8.1f} "
              f"{r['median_ms']:>8.1f} {r['min_ms']:>7.1f} {r['max_ms']:>7.1f} {r['fps']:>7.1f}",
              flush=True)

    for name in args.models:
        for backend in args.backends:
            show(name, backend, child(args, '--child', name, backend))
        if name.startswith('nanonet') and args.keras_python:
            show(name, 'keras', keras(name[-1].upper(), args))
    results['load_average_at_end'] = os.getloadavg()
    print(f"load average at end {results['load_average_at_end'][0]:.2f}")
    os.makedirs(osp.dirname(osp.abspath(args.out)), exist_ok=True)
    with open(args.out, 'w') as f:
        json.dump(results, f, indent=2)
    print(f'written to {args.out}')


if __name__ == '__main__':
    main()
