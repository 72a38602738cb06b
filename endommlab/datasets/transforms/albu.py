"""Albumentations 2.x augmentations inside an MMSegmentation pipeline."""
import copy
import warnings
from typing import List, Optional

import albumentations
import cv2
import numpy as np
from mmcv.transforms import BaseTransform
from mmseg.registry import TRANSFORMS

from endommlab.errors import ConfigError


def build_albu(cfg: dict):
    """An albumentations transform from ``dict(type=<class name>, **args)``.

    Nested ``transforms`` (``OneOf``, ``SomeOf``, ``Sequential``...) are built
    recursively.
    """
    if not isinstance(cfg, dict) or 'type' not in cfg:
        raise ConfigError(f'an albumentations transform is a dict with a `type`, got {cfg!r}')
    args = copy.deepcopy(cfg)
    name = args.pop('type')
    cls = getattr(albumentations, name, None) if isinstance(name, str) else name
    if cls is None:
        raise ConfigError(f'albumentations {albumentations.__version__} has no transform {name!r}')
    if 'transforms' in args:
        args['transforms'] = [build_albu(t) for t in args['transforms']]
    return cls(**args)


@TRANSFORMS.register_module()
class AlbuSeg(BaseTransform):
    """Apply an albumentations ``Compose`` to the image and every segmentation map.

    ``transforms`` is a list of ``dict(type=<albumentations class>, **args)``
    written for albumentations 2.x. Albumentations 2 only *warns* about
    invalid, renamed or deprecated arguments and then ignores them, so with
    ``strict=True`` (default) any warning raised while building the
    transforms is a :class:`~endommlab.errors.ConfigError`: an augmentation
    that silently does something else cannot slip into a config.

    The BGR image is given to albumentations as RGB (colour transforms such as
    ``HueSaturationValue`` assume it) and converted back; the maps named in
    ``seg_fields`` (``gt_seg_map``) follow the geometric transforms with
    nearest-neighbour interpolation. ``img_shape`` is updated, so a
    ``Resize`` may be part of the list.

    Required keys: ``img``; modified: ``img``, ``img_shape``, the ``seg_fields`` maps.
    """

    def __init__(self, transforms: List[dict], strict: bool = True,
                 seed: Optional[int] = None) -> None:
        self.transforms = copy.deepcopy(transforms)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter('always')
            self.aug = albumentations.Compose([build_albu(t) for t in self.transforms],
                                              seed=seed)
        if strict and caught:
            messages = '; '.join(sorted({str(w.message) for w in caught}))
            raise ConfigError(f'AlbuSeg: albumentations {albumentations.__version__} warned '
                              f'while building the transforms (they would be ignored or '
                              f'changed): {messages}')

    def transform(self, results: dict) -> dict:
        fields = [k for k in results.get('seg_fields', []) if k in results]
        image = cv2.cvtColor(results['img'], cv2.COLOR_BGR2RGB)
        if fields:
            out = self.aug(image=image, masks=[results[k] for k in fields])
            for key, mask in zip(fields, out['masks']):
                results[key] = np.ascontiguousarray(mask)
        else:
            out = self.aug(image=image)
        results['img'] = cv2.cvtColor(out['image'], cv2.COLOR_RGB2BGR)
        results['img_shape'] = results['img'].shape[:2]
        return results

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}(transforms={self.transforms})'
