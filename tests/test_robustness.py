"""Real files corrupted at random go through the tools' readers: every variant is processed,
reported as a skip, or refused with a named error; none raises anything else, and no variant
that is detectably broken (cut short, emptied, replaced by garbage) is processed as good.

Corruptions (seeded): truncation at a random offset, 1-16 flipped bytes, a zero-byte file,
random bytes, and a wrong extension (a PNG named .jpg and the reverse; a video named .jpg).
Sources: real Kvasir-SEG images and masks, an MJPG video made of them, a NanoNet-C checkpoint and
its ONNX export. The counts are printed (``-s``) and quoted in the README.
"""
import os.path as osp
import random
from collections import Counter

import cv2
import numpy as np
import pytest

from endommlab.apis import init_model, load_config
from endommlab.datasets.converters import ConversionReport, convert_pairs, find_pairs
from endommlab.deployment import ONNXRuntimeModel, deploy_meta, export_onnx
from endommlab.errors import EndoMMLabError
from endommlab.structures import InferenceInput
from conftest import REPO

CONFIG = osp.join(REPO, 'configs', 'nanonet',
                  'nanonet-c_mobilenetv2-0.35-scratch_1xb8-20e-cpu_kvasir-seg-256x256.py')
VARIANTS_PER_KIND = {'truncated': 12, 'flipped': 12, 'empty': 1, 'garbage': 2}
#: corruptions a reader can always detect (a flipped byte may leave a valid file)
DETECTABLE = ('truncated', 'empty', 'garbage')


def corrupt(data: bytes, kind: str, rng: random.Random) -> bytes:
    if kind == 'truncated':
        return data[:rng.randrange(1, len(data) - 16)]
    if kind == 'flipped':
        out = bytearray(data)
        for _ in range(rng.randint(1, 16)):
            out[rng.randrange(len(out))] ^= rng.randint(1, 255)
        return bytes(out)
    if kind == 'empty':
        return b''
    return bytes(rng.getrandbits(8) for _ in range(rng.randint(10, 4000)))


def variants(path: str, out_dir, rng: random.Random, suffix: str):
    """``(kind, file)`` of every corrupted copy of ``path``."""
    with open(path, 'rb') as f:
        data = f.read()
    for kind, count in VARIANTS_PER_KIND.items():
        for i in range(count):
            out = out_dir / f'{osp.splitext(osp.basename(path))[0]}_{kind}_{i}{suffix}'
            out.write_bytes(corrupt(data, kind, rng))
            yield kind, str(out)


@pytest.fixture(scope='module')
def sources(kvasir_src, tmp_path_factory) -> dict:
    tmp = tmp_path_factory.mktemp('robustness_sources')
    names = sorted(p for p in __import__('os').listdir(osp.join(kvasir_src, 'images')))[:3]
    images = [osp.join(kvasir_src, 'images', n) for n in names]
    masks = [osp.join(kvasir_src, 'masks', n) for n in names]
    video = str(tmp / 'clip.avi')
    writer = cv2.VideoWriter(video, cv2.VideoWriter_fourcc(*'MJPG'), 10, (320, 256))
    for path in images * 3:
        writer.write(cv2.resize(cv2.imread(path), (320, 256)))
    writer.release()
    cfg = load_config(CONFIG)
    model = init_model(cfg)
    checkpoint = str(tmp / 'nanonet-c.pth')
    import torch
    torch.save({'state_dict': model.state_dict(), 'meta': {}}, checkpoint)
    onnx_file = str(tmp / 'nanonet-c.onnx')
    export_onnx(model, cfg, onnx_file)
    assert deploy_meta(model, cfg)
    png = str(tmp / 'frame.png')
    cv2.imwrite(png, cv2.imread(images[0]))
    return dict(images=images, masks=masks, video=video, checkpoint=checkpoint,
                onnx=onnx_file, png=png, cfg=cfg)


def test_corrupted_files_never_pass_silently_and_never_crash(sources, tmp_path, capsys):
    rng = random.Random(0)
    outcomes = Counter()
    silent = []

    def record(what: str, kind: str, path: str, outcome: str) -> None:
        outcomes[(what, outcome)] += 1
        if outcome == 'processed' and kind in DETECTABLE:
            silent.append(f'{what} {kind}: {path}')

    folder = tmp_path / 'images'
    folder.mkdir()
    for src in sources['images'] + [sources['png']]:
        for kind, path in variants(src, folder, rng, osp.splitext(src)[1]):
            pass
    # wrong extensions: real files under the other name
    (folder / 'png_named.jpg').write_bytes(open(sources['png'], 'rb').read())
    (folder / 'jpg_named.png').write_bytes(open(sources['images'][0], 'rb').read())
    (folder / 'video_named.jpg').write_bytes(open(sources['video'], 'rb').read())
    frames = {f.name: f for f in InferenceInput(str(folder))}
    for name, frame in frames.items():
        kind = next((k for k in VARIANTS_PER_KIND if f'_{k}_' in name), 'renamed')
        if 'video_named' in name:
            kind = 'garbage'  # not an image at all
        record('image', kind, name, 'skipped' if frame.error else 'processed')
        if frame.error is None:
            assert frame.image is not None and frame.image.ndim == 3

    masks = tmp_path / 'masks_src'
    imgs = tmp_path / 'imgs_src'
    masks.mkdir()
    imgs.mkdir()
    for src_img, src_mask in zip(sources['images'], sources['masks']):
        for kind, path in variants(src_mask, masks, rng, '.jpg'):
            stem = osp.splitext(osp.basename(path))[0]
            (imgs / f'{stem}.jpg').write_bytes(open(src_img, 'rb').read())
    report = ConversionReport()
    converted = convert_pairs(find_pairs(str(imgs), str(masks), report), str(tmp_path / 'conv'),
                              report)
    for stem in converted.converted + list(converted.skipped):
        kind = next(k for k in VARIANTS_PER_KIND if f'_{k}_' in stem)
        record('mask', kind, stem, 'processed' if stem in converted.converted else 'skipped')

    videos = tmp_path / 'videos'
    videos.mkdir()
    for kind, path in variants(sources['video'], videos, rng, '.avi'):
        try:
            source = InferenceInput(path)
            frames = list(source)
            short = any(f.error for f in frames)
            record('video', kind, path, 'skipped' if short else 'processed')
        except EndoMMLabError:
            record('video', kind, path, 'refused')

    for what, src, load in (
            ('checkpoint', sources['checkpoint'], lambda p: init_model(sources['cfg'], p)),
            ('onnx', sources['onnx'], lambda p: ONNXRuntimeModel(p, sources['cfg']))):
        folder = tmp_path / what
        folder.mkdir()
        for kind, path in variants(src, folder, rng, osp.splitext(src)[1]):
            try:
                model = load(path)
                if what == 'onnx':  # a model that loads must also run
                    model.forward(np.zeros((1, 3, 256, 256), np.float32))
                record(what, kind, path, 'processed')
            except EndoMMLabError:
                record(what, kind, path, 'refused')

    total = sum(outcomes.values())
    with capsys.disabled():
        print(f'\nrobustness: {total} corrupted variants: ' + ', '.join(
            f'{what} {outcome} {n}' for (what, outcome), n in sorted(outcomes.items())))
    assert total >= 200
    assert not silent, f'detectably broken inputs processed as good: {silent}'
