"""DivergentNets ensemble (Thambawita et al., EndoCV 2021, Fig. 3)."""
import glob
import os.path as osp
from typing import List, Sequence

import torch
import torch.nn as nn
from mmengine.config import Config
from mmengine.registry import DefaultScope
from mmengine.runner.checkpoint import load_checkpoint
from mmengine.structures import PixelData
from mmseg.models.segmentors import BaseSegmentor
from mmseg.models.utils import resize
from mmseg.registry import MODELS
from mmseg.structures import SegDataSample
from mmseg.utils import OptConfigType, OptMultiConfig, OptSampleList, SampleList
from torch import Tensor

from endommlab.errors import ConfigError, EndoMMLabError
from .polyp_probability import polyp_logit, polyp_probability


@MODELS.register_module()
class DivergentNets(BaseSegmentor):
    """Mean of the members' polyp probability maps, thresholded (paper Fig. 3).

    ``members`` lists ``dict(config=..., checkpoint=..., name=...)`` (the
    checkpoint may be a glob pattern matching one file, e.g. the
    ``best_*.pth`` that ``CheckpointHook(save_best=...)`` keeps): any
    number of MMSegmentation segmentors (the paper's UNet++, FPN, DeepLabV3,
    DeepLabV3+ and TriUNet), each built from its own training config. Paths
    are relative to the working directory. Each member normalises the batch
    with its own ``data_preprocessor`` (this model's only stacks the images)
    and predicts at the original image size; its polyp probability is the
    softmax of channel ``polyp_index`` (or the sigmoid map of a one-channel
    model). The ensemble's polyp probability is their mean and a pixel is
    polyp when it is ``>= threshold``; ``seg_logits`` holds ``p`` as one
    channel, as mmseg stores a one-channel head's sigmoid output (and so does
    the tensor output, at the input resolution).

    Member checkpoints are loaded when ``load_member_checkpoints`` is true
    (``tools/model_converters/pack_ensemble.py`` does so and saves the
    ensemble as one checkpoint, which ``tools/test.py`` then loads).
    ``test_cfg=dict(member_masks=True)`` (set by
    :class:`~endommlab.engine.hooks.EnsembleMemberMaskHook`) also stores each
    member's mask as ``member_sem_seg`` (``M x H x W``), in ``member_names`` order.
    """

    def __init__(self, members: Sequence[dict], threshold: float = 0.5, polyp_index: int = 1,
                 load_member_checkpoints: bool = False, test_cfg: OptConfigType = None,
                 data_preprocessor: OptConfigType = None, init_cfg: OptMultiConfig = None) -> None:
        super().__init__(data_preprocessor=data_preprocessor or dict(type='SegDataPreProcessor'),
                         init_cfg=init_cfg)
        if not members:
            raise ConfigError('DivergentNets needs at least one member')
        if not 0 < threshold < 1:
            raise ConfigError(f'DivergentNets: threshold must be in (0, 1), got {threshold}')
        self.threshold = threshold
        self.polyp_index = polyp_index
        self.test_cfg = dict(test_cfg or {})
        self.members = nn.ModuleList()
        self.member_names: List[str] = []
        for member in members:
            self.members.append(self._build_member(member, load_member_checkpoints))
            self.member_names.append(member.get('name') or
                                     osp.splitext(osp.basename(member['config']))[0])
        if len(set(self.member_names)) != len(self.member_names):
            raise ConfigError(f'DivergentNets: member names must differ, got {self.member_names}')

    @staticmethod
    def _build_member(member: dict, load: bool) -> BaseSegmentor:
        if 'config' not in member:
            raise ConfigError(f'DivergentNets member {member} has no `config`')
        if not osp.isfile(member['config']):
            raise ConfigError(f"DivergentNets member config {member['config']} does not exist")
        cfg = Config.fromfile(member['config'])
        with DefaultScope.overwrite_default_scope(cfg.get('default_scope', 'mmseg')):
            model = MODELS.build(cfg.model)
        if load:
            found = sorted(glob.glob(member.get('checkpoint') or ''))
            if len(found) != 1:
                raise ConfigError(f"DivergentNets member {member['config']}: checkpoint "
                                  f"{member.get('checkpoint')} matches {len(found)} files "
                                  f'{found[:3]}, not one')
            checkpoint = found[0]
            try:
                load_checkpoint(model, checkpoint, map_location='cpu', strict=True,
                                logger='current')
            except RuntimeError as e:
                raise ConfigError(f'DivergentNets member checkpoint {checkpoint} does not fit '
                                  f"{member['config']}: {str(e).splitlines()[0]}") from None
        return model

    def init_weights(self) -> None:
        """Nothing to initialise: the members come trained."""

    def _member_probability(self, member: BaseSegmentor, inputs: Tensor,
                            data_samples: SampleList) -> List[Tensor]:
        """Polyp probability (``H x W``) of every image for one member, at the original size."""
        samples = [SegDataSample(metainfo=dict(s.metainfo)) for s in data_samples]
        batch = member.data_preprocessor(dict(inputs=list(inputs), data_samples=samples), False)
        out = member.predict(batch['inputs'], batch['data_samples'])
        return [polyp_probability(sample.seg_logits.data, self.polyp_index) for sample in out]

    def predict(self, inputs: Tensor, data_samples: OptSampleList = None) -> SampleList:
        """Ensemble mask ``pred_sem_seg`` (and member masks if asked) at the original size."""
        if data_samples is None:
            data_samples = [SegDataSample(metainfo=dict(
                ori_shape=inputs.shape[2:], img_shape=inputs.shape[2:],
                pad_shape=inputs.shape[2:], padding_size=[0, 0, 0, 0]))
                for _ in range(inputs.shape[0])]
        member_probs = [self._member_probability(m, inputs, data_samples) for m in self.members]
        for i, sample in enumerate(data_samples):
            probs = torch.stack([p[i] for p in member_probs])
            mean = probs.mean(dim=0)
            sample.set_data({
                'seg_logits': PixelData(data=mean[None]),
                'pred_sem_seg': PixelData(data=(mean >= self.threshold).long()[None]),
            })
            if self.test_cfg.get('member_masks', False):
                sample.set_data({'member_sem_seg': PixelData(
                    data=(probs >= self.threshold).to(torch.uint8))})
                sample.set_metainfo({'member_names': list(self.member_names)})
        return data_samples

    def member_logits(self, inputs: Tensor) -> List[Tensor]:
        """Each member's class logits at the input resolution (``N x C x H x W``).

        Each member normalises the batch with its own data preprocessor.
        """
        logits = []
        for member in self.members:
            x = member.data_preprocessor(dict(inputs=list(inputs)), False)['inputs']
            logits.append(resize(member._forward(x), size=inputs.shape[2:], mode='bilinear',
                                 align_corners=False))
        return logits

    def encode_decode(self, inputs: Tensor, batch_img_metas: List[dict]) -> Tensor:
        """Mean polyp probability ``p`` at the input resolution (``N x 1 x H x W``)."""
        probs = [polyp_logit(logits, self.polyp_index).sigmoid()
                 for logits in self.member_logits(inputs)]
        return torch.stack(probs).mean(dim=0)[:, None]

    def _forward(self, inputs: Tensor, data_samples: OptSampleList = None) -> Tensor:
        """Mean polyp probability ``p`` at the input resolution (``N x 1 x H x W``)."""
        return self.encode_decode(inputs, [])

    def extract_feat(self, inputs: Tensor) -> None:
        raise EndoMMLabError('DivergentNets has no feature map of its own: it averages its '
                             "members' predictions")

    def loss(self, inputs: Tensor, data_samples: SampleList) -> dict:
        raise EndoMMLabError('DivergentNets is not trained as a whole: train each member with '
                             'its own config, then list the checkpoints in the ensemble config')
