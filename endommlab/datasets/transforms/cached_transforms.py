"""Run a pipeline's deterministic head once per image and replay it afterwards."""
import copy
from typing import Dict, List, Optional

from mmcv.transforms import BaseTransform, Compose
from mmseg.registry import TRANSFORMS

from endommlab.errors import ConfigError

#: transforms whose output changes from call to call; caching them would freeze one draw
RANDOM_TRANSFORMS = ('Albu', 'AlbuSeg', 'PhotoMetricDistortion', 'RandomChoice', 'RandomApply')


def uncached_steps(pipeline: List[dict]) -> List[dict]:
    """``pipeline`` with every ``CachedTransforms`` step replaced by the transforms it wraps.

    Inference on new frames (nothing to cache) and the tools that look for a pipeline's
    ``Resize`` read pipelines through this.
    """
    steps = []
    for step in pipeline:
        if str(step['type']).split('.')[-1] == 'CachedTransforms':
            steps += uncached_steps(step['transforms'])
        else:
            steps.append(step)
    return steps


@TRANSFORMS.register_module()
class CachedTransforms(BaseTransform):
    """Apply ``transforms`` to an image the first time it is seen and keep the result.

    Decoding a full-size Kvasir-SEG JPEG (up to 1920x1072) and resizing it to the training size
    costs every step again although the result never changes; wrapped here, loading and a
    fixed ``Resize`` run once per image and process, and later epochs copy the cached arrays
    (about 0.2 MB an image at 256x256). Random transforms stay outside: a cached draw would be
    the same in every epoch, so their names are refused. Each data-loader worker keeps its own
    cache; ``num_workers=0`` keeps one in the training process.

    Required keys: those of ``transforms``, and ``img_path`` (the cache key).
    """

    def __init__(self, transforms: List[dict]) -> None:
        for t in transforms:
            name = t.get('type', '') if isinstance(t, dict) else type(t).__name__
            if not isinstance(name, str):
                name = name.__name__
            if name.startswith('Random') or name in RANDOM_TRANSFORMS:
                raise ConfigError(f'CachedTransforms: {name} is random; a cached result would '
                                  f'repeat one draw in every epoch (put it after the cache)')
        self.transforms = Compose(transforms)
        self._cache: Dict[str, Optional[dict]] = {}

    def transform(self, results: dict) -> Optional[dict]:
        key = results['img_path']
        if key not in self._cache:
            self._cache[key] = self.transforms(copy.deepcopy(results))
        cached = self._cache[key]
        return None if cached is None else copy.deepcopy(cached)

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}(transforms={self.transforms!r})'
