"""End-to-end per-frame latency of the authors' Keras NanoNet (run by realtime_inference.py).

    TF_PYTHON keras_nanonet_frames.py --code DIR --variant A|B|C --frames F1 F2 ...
        [--threads 2] [--warmup 10] [--max-seconds 20]

Runs under a separate Python with tensorflow-cpu and opencv; ``DIR`` holds the
authors' ``model.py`` and ``se.py`` (github.com/DebeshJha/NanoNet; not part of
this repository). Random weights (MobileNetV2 built with ``weights=None``).
Each frame: ``cv2.imread``, resize to 256x256, ``/255``, the model as a
``tf.function`` (its last layer is the sigmoid), the bilinear resize of the
probability to the frame's size, ``> 0.5``, as the authors' ``test.py``
prepares its inputs. Prints one JSON line of latency statistics.
"""
import argparse
import json
import os
import sys
import time

os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '2')


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument('--code', required=True)
    parser.add_argument('--variant', choices='ABC', required=True)
    parser.add_argument('--frames', nargs='+', required=True)
    parser.add_argument('--threads', type=int, default=2)
    parser.add_argument('--warmup', type=int, default=10)
    parser.add_argument('--max-seconds', type=float, default=20)
    args = parser.parse_args()
    import cv2
    import numpy as np
    import tensorflow as tf
    import tensorflow.keras.applications as applications
    tf.config.threading.set_intra_op_parallelism_threads(args.threads)
    tf.config.threading.set_inter_op_parallelism_threads(1)
    cv2.setNumThreads(1)
    mobilenet_v2 = applications.MobileNetV2
    applications.MobileNetV2 = lambda **kw: mobilenet_v2(**dict(kw, weights=None))
    sys.path.insert(0, args.code)
    import model as authors  # noqa: E402
    net = getattr(authors, f'NanoNet_{args.variant}')((256, 256, 3))
    infer = tf.function(lambda x: net(x, training=False))
    times, start_all = [], time.perf_counter()
    for i, path in enumerate(args.frames):
        start = time.perf_counter()
        image = cv2.imread(path, cv2.IMREAD_COLOR)
        x = cv2.resize(image, (256, 256)).astype(np.float32)[None] / 255.0
        prob = infer(tf.constant(x)).numpy()[0, :, :, 0]
        mask = cv2.resize(prob, image.shape[1::-1], interpolation=cv2.INTER_LINEAR) > 0.5
        elapsed = (time.perf_counter() - start) * 1000
        if i >= args.warmup:
            times.append(elapsed)
        if time.perf_counter() - start_all > args.max_seconds and len(times) >= 5:
            break
    times = np.asarray(times)
    print(json.dumps(dict(frames=len(times), mean_ms=float(times.mean()),
                          median_ms=float(np.median(times)), min_ms=float(times.min()),
                          max_ms=float(times.max()), fps=float(1000 / times.mean()),
                          params=int(net.count_params()), polyp_pixels=int(mask.sum()),
                          tensorflow=tf.__version__)))


if __name__ == '__main__':
    main()
