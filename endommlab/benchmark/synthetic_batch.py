"""Random training / test batches in the data-sample format of each OpenMMLab scope."""
from typing import Dict, Optional, Tuple

import torch

from endommlab.errors import ConfigError


def disc_masks(batch: int, size: Tuple[int, int], generator: torch.Generator) -> torch.Tensor:
    """``(batch, h, w)`` 0/1 masks, each a disc at a random centre (a polyp-like blob)."""
    h, w = size
    ys, xs = torch.meshgrid(torch.arange(h), torch.arange(w), indexing='ij')
    centres = torch.rand(batch, 2, generator=generator) * 0.5 + 0.25
    radius = (torch.rand(batch, generator=generator) * 0.15 + 0.1) * min(h, w)
    dist = (ys[None] - centres[:, 0, None, None] * h) ** 2 + \
        (xs[None] - centres[:, 1, None, None] * w) ** 2
    return (dist <= radius[:, None, None] ** 2).long()


def synthetic_batch(scope: str, batch: int, size: Tuple[int, int], num_classes: int = 2,
                    label_fields: Optional[Dict[str, int]] = None, seed: int = 0) -> dict:
    """``dict(inputs, data_samples)`` as a dataloader gives ``model.train_step``.

    ``inputs``: uint8 ``(3, h, w)`` random images; targets: a disc mask per
    image (mmseg ``gt_sem_seg``; mmdet one instance, its box and bitmap mask)
    or a random label (mmpretrain), and one in each ``label_fields`` (field
    name -> number of classes, e.g. ``gt_label_macro`` of an auxiliary head).
    """
    generator = torch.Generator().manual_seed(seed)
    h, w = size
    inputs = [torch.randint(0, 256, (3, h, w), dtype=torch.uint8, generator=generator)
              for _ in range(batch)]
    masks = disc_masks(batch, size, generator)
    meta = dict(img_shape=(h, w), ori_shape=(h, w), pad_shape=(h, w), scale_factor=(1.0, 1.0))
    if scope == 'mmseg':
        from mmengine.structures import PixelData
        from mmseg.structures import SegDataSample
        samples = [SegDataSample(gt_sem_seg=PixelData(data=m[None]), metainfo=meta)
                   for m in masks]
    elif scope == 'mmdet':
        from mmdet.structures import DetDataSample
        from mmdet.structures.mask import BitmapMasks
        from mmengine.structures import InstanceData
        samples = []
        for m in masks:
            ys, xs = torch.nonzero(m, as_tuple=True)
            box = torch.stack([xs.min(), ys.min(), xs.max() + 1, ys.max() + 1]).float()[None]
            samples.append(DetDataSample(gt_instances=InstanceData(
                bboxes=box, labels=torch.zeros(1, dtype=torch.long),
                masks=BitmapMasks(m[None].numpy().astype('uint8'), h, w)), metainfo=meta))
    elif scope == 'mmpretrain':
        from mmpretrain.structures import DataSample
        fields = dict(gt_label=num_classes, **(label_fields or {}))
        samples = [DataSample(metainfo=meta) for _ in range(batch)]
        for key, classes in fields.items():
            for sample in samples:
                sample.set_field(torch.randint(0, classes, (1, ), generator=generator), key)
    else:
        raise ConfigError(f"default_scope '{scope}' is not one of mmseg, mmdet, mmpretrain")
    return dict(inputs=inputs, data_samples=samples)
