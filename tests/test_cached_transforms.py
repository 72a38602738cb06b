"""CachedTransforms: the wrapped transforms run once per image; random ones are refused."""
import cv2
import numpy as np
import pytest
from mmengine.registry import init_default_scope
from mmseg.registry import TRANSFORMS

import endommlab  # noqa: F401  (registers the transforms)
from endommlab.errors import ConfigError


@pytest.fixture(autouse=True)
def mmseg_scope():
    """An earlier test of the same worker may have left another library's default scope."""
    init_default_scope('mmseg')


def test_decodes_once_and_hands_out_copies(tmp_path):
    path = str(tmp_path / 'frame.png')
    cv2.imwrite(path, np.full((40, 60, 3), 200, np.uint8))
    cached = TRANSFORMS.build(dict(type='CachedTransforms', transforms=[
        dict(type='LoadImageFromFile'), dict(type='Resize', scale=(16, 8), keep_ratio=False)]))
    first = cached(dict(img_path=path))
    assert first['img'].shape == (8, 16, 3) and first['ori_shape'] == (40, 60)
    first['img'][:] = 0  # a later transform writing in place must not reach the cache
    cv2.imwrite(path, np.full((40, 60, 3), 50, np.uint8))  # the file changes on disk
    second = cached(dict(img_path=path))
    assert (second['img'] == 200).all()  # replayed from the cache, not decoded again


@pytest.mark.parametrize('random', [dict(type='RandomFlip', prob=0.5),
                                    dict(type='Albu', transforms=[]),
                                    dict(type='PhotoMetricDistortion')])
def test_random_transforms_are_refused(random):
    with pytest.raises(ConfigError, match='is random'):
        TRANSFORMS.build(dict(type='CachedTransforms',
                              transforms=[dict(type='LoadImageFromFile'), random]))
