"""TriUNet (Thambawita et al., DivergentNets, EndoCV 2021, Fig. 2)."""
import copy
from typing import List, Tuple

import torch
import torch.nn as nn
from mmengine.structures import PixelData
from mmseg.models.segmentors import BaseSegmentor, EncoderDecoder
from mmseg.models.utils import resize
from mmseg.registry import MODELS
from mmseg.structures import SegDataSample
from mmseg.utils import ConfigType, OptConfigType, OptMultiConfig, OptSampleList, SampleList
from torch import Tensor

from endommlab.errors import ConfigError


@MODELS.register_module()
class TriUNet(BaseSegmentor):
    """Two UNets see the image; a third UNet segments their concatenated class maps.

    ``V1 = softmax(UNet1(x))``, ``V2 = softmax(UNet2(x))`` (sigmoid for a
    one-channel head) and ``y = UNet3(concat(V1, V2))``: the first two nodes are
    built from the same config and differ by their random initialisation, the
    third one takes ``2 x out_channels`` input channels (4 for the paper's
    2-class nodes; its pretrained first convolution is expanded as SMP does).
    The whole model is trained end to end with the loss of the third node's
    decode head only (the paper's single-channel Dice loss), as the reference
    ``TripleUnet``.

    Each node is an :class:`~mmseg.models.segmentors.EncoderDecoder` of
    ``backbone`` + ``decode_head`` (``fusion_backbone``/``fusion_head`` change the
    third node; its ``in_channels`` is set here). Decode heads must output class
    maps at the input resolution or are resized to it.

    ``V1`` and ``V2`` are returned by :meth:`forward_nodes`; with
    ``test_cfg=dict(return_intermediate=True)`` :meth:`predict` also stores
    them, at the original image size, as ``seg_probs_v1``/``seg_probs_v2``.
    Only whole-image inference (``test_cfg.mode='whole'``) is supported.
    """

    def __init__(self, backbone: ConfigType, decode_head: ConfigType,
                 fusion_backbone: OptConfigType = None, fusion_head: OptConfigType = None,
                 train_cfg: OptConfigType = None, test_cfg: OptConfigType = None,
                 data_preprocessor: OptConfigType = None, init_cfg: OptMultiConfig = None) -> None:
        super().__init__(data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        self.unet1 = self._build_node(backbone, decode_head)
        self.unet2 = self._build_node(backbone, decode_head)
        fusion_backbone = copy.deepcopy(fusion_backbone or backbone)
        fusion_backbone['in_channels'] = 2 * self.unet1.out_channels
        self.unet3 = self._build_node(fusion_backbone, fusion_head or decode_head)
        if self.unet3.out_channels != self.unet1.out_channels:
            raise ConfigError('TriUNet: the fusion head must predict as many channels as the '
                              f'first two ({self.unet1.out_channels}), got '
                              f'{self.unet3.out_channels}')
        self.train_cfg = train_cfg
        self.test_cfg = test_cfg if test_cfg is not None else dict(mode='whole')
        if self.test_cfg.get('mode', 'whole') != 'whole':
            raise ConfigError(f"TriUNet supports test_cfg.mode='whole' only, got "
                              f"{self.test_cfg.get('mode')!r}")

    @staticmethod
    def _build_node(backbone: ConfigType, decode_head: ConfigType) -> EncoderDecoder:
        return MODELS.build(dict(type='EncoderDecoder', backbone=copy.deepcopy(backbone),
                                 decode_head=copy.deepcopy(decode_head)))

    @property
    def decode_head(self) -> nn.Module:
        """The decode head that makes the prediction (the third node's)."""
        return self.unet3.decode_head

    @property
    def align_corners(self) -> bool:
        return self.unet3.align_corners

    @property
    def num_classes(self) -> int:
        return self.unet3.num_classes

    @property
    def out_channels(self) -> int:
        return self.unet3.out_channels

    def _node_logits(self, node: EncoderDecoder, x: Tensor, size: Tuple[int, int]) -> Tensor:
        logits = node._forward(x)
        if logits.shape[2:] != size:
            logits = resize(logits, size=size, mode='bilinear', align_corners=node.align_corners)
        return logits

    @staticmethod
    def _probabilities(logits: Tensor) -> Tensor:
        return logits.sigmoid() if logits.shape[1] == 1 else logits.softmax(dim=1)

    def forward_nodes(self, inputs: Tensor) -> Tuple[Tensor, Tensor, Tensor]:
        """``(V1, V2, logits)``: the first two nodes' class probabilities and the third's logits."""
        size = inputs.shape[2:]
        v1 = self._probabilities(self._node_logits(self.unet1, inputs, size))
        v2 = self._probabilities(self._node_logits(self.unet2, inputs, size))
        return v1, v2, self._node_logits(self.unet3, torch.cat([v1, v2], dim=1), size)

    def extract_feat(self, inputs: Tensor) -> List[Tensor]:
        """Features of the third node's encoder, computed on ``concat(V1, V2)``."""
        v1, v2, _ = self.forward_nodes(inputs)
        return self.unet3.extract_feat(torch.cat([v1, v2], dim=1))

    def encode_decode(self, inputs: Tensor, batch_img_metas: List[dict]) -> Tensor:
        """Logits of the third node resized to ``img_shape``."""
        return self.decode_head.predict_by_feat(self.forward_nodes(inputs)[2], batch_img_metas)

    def loss(self, inputs: Tensor, data_samples: SampleList) -> dict:
        """Loss of the third node's head on the final logits (end-to-end training)."""
        losses = self.decode_head.loss_by_feat(self.forward_nodes(inputs)[2], data_samples)
        return {f'decode.{k}': v for k, v in losses.items()}

    def predict(self, inputs: Tensor, data_samples: OptSampleList = None) -> SampleList:
        """``pred_sem_seg``/``seg_logits`` at the original size (plus V1/V2 if asked)."""
        if data_samples is None:
            data_samples = [SegDataSample(metainfo=dict(
                ori_shape=inputs.shape[2:], img_shape=inputs.shape[2:],
                pad_shape=inputs.shape[2:], padding_size=[0, 0, 0, 0]))
                for _ in range(inputs.shape[0])]
        metas = [s.metainfo for s in data_samples]
        v1, v2, logits = self.forward_nodes(inputs)
        data_samples = self.postprocess_result(
            self.decode_head.predict_by_feat(logits, metas), data_samples)
        if self.test_cfg.get('return_intermediate', False):
            for key, probs in (('seg_probs_v1', v1), ('seg_probs_v2', v2)):
                resized = self._to_original_size(resize(probs, size=metas[0]['img_shape'],
                                                        mode='bilinear',
                                                        align_corners=self.align_corners),
                                                 metas)
                for sample, prob in zip(data_samples, resized):
                    sample.set_data({key: PixelData(data=prob)})
        return data_samples

    def _to_original_size(self, maps: Tensor, metas: List[dict]) -> List[Tensor]:
        """Maps cropped, un-flipped and resized as :meth:`postprocess_result` treats logits."""
        holders = [SegDataSample(metainfo=meta) for meta in metas]
        channels = maps.shape[1]
        if channels == 1:  # postprocess_result applies a sigmoid to one-channel maps
            maps = torch.cat([1 - maps, maps], dim=1)
        out = self.postprocess_result(maps, holders)
        return [h.seg_logits.data[-channels:] for h in out]

    def _forward(self, inputs: Tensor, data_samples: OptSampleList = None) -> Tensor:
        """Logits of the third node at the input resolution."""
        return self.forward_nodes(inputs)[2]
