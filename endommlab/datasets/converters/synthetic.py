"""A small procedural "endoscopy-like" polyp set, made by the project itself.

Used by the demo config and the fast tests; never a stand-in for real data
in the tests that measure something. Each image has textured reddish mucosa
with vessels, the dark circular border of an endoscope's field of view,
specular highlights, and 0 to 3 polyp-like blobs (raised, lighter, shaded,
with an irregular outline) whose union is the mask. About one image in six
has no polyp (a negative).
"""
import os
import os.path as osp
from typing import Optional, Tuple

import cv2
import numpy as np

from .image_mask_pairs import ConversionReport, convert_pairs, find_pairs


def _smooth_noise(rng: np.random.Generator, h: int, w: int, scale: int) -> np.ndarray:
    small = rng.standard_normal((max(2, h // scale), max(2, w // scale))).astype(np.float32)
    return cv2.resize(small, (w, h), interpolation=cv2.INTER_CUBIC)


def _blob_mask(rng: np.random.Generator, h: int, w: int) -> np.ndarray:
    """An irregular convex-ish polyp outline: a radius-perturbed ellipse."""
    cy, cx = rng.uniform(0.25, 0.75) * h, rng.uniform(0.25, 0.75) * w
    ry, rx = rng.uniform(0.06, 0.2) * h, rng.uniform(0.06, 0.2) * w
    t = np.linspace(0, 2 * np.pi, 64, endpoint=False)
    wobble = 1 + 0.12 * np.sin(rng.integers(2, 5) * t + rng.uniform(0, 6.3)) \
        + 0.05 * rng.standard_normal(t.size)
    angle = rng.uniform(0, np.pi)
    x = rx * wobble * np.cos(t)
    y = ry * wobble * np.sin(t)
    pts = np.stack([cx + x * np.cos(angle) - y * np.sin(angle),
                    cy + x * np.sin(angle) + y * np.cos(angle)], axis=1)
    mask = np.zeros((h, w), np.uint8)
    cv2.fillPoly(mask, [np.round(pts).astype(np.int32)], 1)
    return mask


def synthetic_sample(rng: np.random.Generator, size: Tuple[int, int] = (256, 256),
                     negative: bool = False) -> Tuple[np.ndarray, np.ndarray]:
    """One BGR image and its 0/1 polyp mask."""
    h, w = size
    base = np.array([70, 85, 190], np.float32) + rng.uniform(-15, 15, 3)  # BGR mucosa
    tex = 18 * _smooth_noise(rng, h, w, 24) + 6 * _smooth_noise(rng, h, w, 4)
    img = base[None, None] + tex[..., None]
    vessels = np.zeros((h, w), np.float32)
    for _ in range(rng.integers(3, 8)):
        pts = np.cumsum(rng.normal(0, 12, (12, 2)), axis=0) + rng.uniform(0, [w, h])
        cv2.polylines(vessels, [pts.astype(np.int32)], False, 1.0,
                      thickness=int(rng.integers(1, 3)))
    img -= cv2.GaussianBlur(vessels, (0, 0), 1.2)[..., None] * np.array([10, 40, 50], np.float32)

    mask = np.zeros((h, w), np.uint8)
    if not negative:
        for _ in range(rng.integers(1, 4)):
            blob = _blob_mask(rng, h, w)
            dist = cv2.distanceTransform(blob, cv2.DIST_L2, 5)
            dome = dist / (dist.max() + 1e-6)
            tint = np.array([25, 30, 20], np.float32) + rng.uniform(-10, 10, 3)
            img += (dome[..., None] * 30 + blob[..., None] * tint)
            mask |= blob
    yy, xx = np.mgrid[0:h, 0:w]
    for _ in range(rng.integers(2, 7)):
        cy, cx, r = rng.uniform(0, h), rng.uniform(0, w), rng.uniform(1.5, 5)
        img += 160 * np.exp(-((yy - cy) ** 2 + (xx - cx) ** 2) / (2 * r ** 2))[..., None]
    r = np.hypot((yy - h / 2) / (h / 2), (xx - w / 2) / (w / 2))
    img *= np.clip(1.6 - r * 0.9, 0, 1)[..., None] ** 1.5
    img[r > 0.98] = rng.uniform(0, 8)
    mask[r > 0.98] = 0
    return np.clip(img, 0, 255).astype(np.uint8), mask


def make_synthetic_polyp_set(out_dir: str,
                             num_images: int = 48,
                             num_val: int = 12,
                             size: Tuple[int, int] = (256, 256),
                             negative_every: int = 6,
                             seed: int = 0,
                             report: Optional[ConversionReport] = None) -> ConversionReport:
    """Write ``num_images`` samples in the raw release form (``raw/images``,
    ``raw/masks``) and convert them with the generic converter into the
    MMSeg and COCO layouts under ``out_dir`` (replacing an earlier generated set there)."""
    rng = np.random.default_rng(seed)
    raw_img, raw_mask = osp.join(out_dir, 'raw', 'images'), osp.join(out_dir, 'raw', 'masks')
    os.makedirs(raw_img, exist_ok=True)
    os.makedirs(raw_mask, exist_ok=True)
    for i in range(num_images):
        img, mask = synthetic_sample(rng, size, negative=(i % negative_every == negative_every - 1))
        cv2.imwrite(osp.join(raw_img, f'synth_{i:04d}.jpg'), img, [cv2.IMWRITE_JPEG_QUALITY, 92])
        cv2.imwrite(osp.join(raw_mask, f'synth_{i:04d}.png'), mask * 255)
    report = report or ConversionReport()
    pairs = find_pairs(raw_img, raw_mask, report)
    return convert_pairs(pairs, out_dir, report, num_val=num_val, seed=seed, img_suffix='.jpg',
                         overwrite=True)
