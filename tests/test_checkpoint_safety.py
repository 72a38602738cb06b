"""Checkpoints save, load and resume with torch's ``weights_only=True`` left on."""
import functools
import http.server
import itertools
import os.path as osp
import threading
from collections import OrderedDict

import numpy as np
import pytest
import torch
import torch.nn as nn
from mmengine.logging import HistoryBuffer
from mmengine.model import BaseModel
from mmengine.runner import Runner, load_checkpoint
from mmengine.runner.checkpoint import _load_checkpoint
from torch.utils.data import Dataset

from endommlab.engine.hooks import SafeCheckpointHook, register_safe_checkpoint_hook
from endommlab.errors import CheckpointSafetyError
from endommlab.utils import decode_safe, encode_safe


class ToyModel(BaseModel):

    def __init__(self) -> None:
        super().__init__()
        self.fc = nn.Linear(2, 1)

    def forward(self, inputs, labels=None, mode='tensor'):
        out = self.fc(inputs).squeeze(-1)
        if mode == 'loss':
            return dict(loss=((out - labels) ** 2).mean())
        return out


class ToyData(Dataset):

    def __len__(self) -> int:
        return 8

    def __getitem__(self, i: int) -> dict:
        g = torch.Generator().manual_seed(i)
        return dict(inputs=torch.randn(2, generator=g), labels=torch.tensor(float(i % 2)))


_RUN_IDS = itertools.count()


def toy_runner(work_dir: str, max_iters: int, safe: bool = True, **kwargs) -> Runner:
    runner = Runner(
        model=ToyModel(), work_dir=work_dir,
        train_dataloader=dict(dataset=ToyData(), batch_size=2,
                              sampler=dict(type='DefaultSampler', shuffle=True),
                              collate_fn=dict(type='default_collate')),
        optim_wrapper=dict(optimizer=dict(type='SGD', lr=0.1)),
        train_cfg=dict(by_epoch=False, max_iters=max_iters),
        param_scheduler=dict(type='MultiStepLR', milestones=[1], by_epoch=False),
        default_hooks=dict(checkpoint=dict(type='CheckpointHook', interval=1, by_epoch=False)),
        default_scope='mmengine', experiment_name=f'toy_{next(_RUN_IDS)}',  # own MessageHub
        **kwargs)
    if safe:
        register_safe_checkpoint_hook(runner)
    return runner


def test_encode_decode_round_trip():
    buf = HistoryBuffer(max_length=5)
    buf.update(1.5, count=2)
    buf.update(2.5)
    obj = OrderedDict(hub=dict(loss=buf, arr=np.arange(3, dtype=np.int16), val=np.float64(0.25),
                               objs=np.array(['a', 1], dtype=object)), keep=(1, 'x'))
    enc = encode_safe(obj)
    assert isinstance(enc['hub']['val'], float)
    assert isinstance(enc['hub']['arr'], dict) and enc['hub']['arr']['data'].dtype == torch.int16
    dec = decode_safe(enc)
    assert isinstance(dec['hub']['loss'], HistoryBuffer)
    np.testing.assert_array_equal(dec['hub']['loss']._log_history, buf._log_history)
    np.testing.assert_array_equal(dec['hub']['loss']._count_history, buf._count_history)
    assert dec['hub']['loss'].max_length == 5
    np.testing.assert_array_equal(dec['hub']['arr'], np.arange(3, dtype=np.int16))
    assert dec['hub']['objs'].tolist() == ['a', 1]
    assert dec['keep'] == (1, 'x')


class _DeviceTensor(torch.Tensor):
    """A tensor that, like a CUDA one, must be copied to the host before ``.numpy()``."""

    def numpy(self, *args, **kwargs):
        raise TypeError("can't convert cuda:0 device type tensor to numpy. Use Tensor.cpu() to "
                        'copy the tensor to host memory first.')

    def cpu(self, *args, **kwargs):
        return self.as_subclass(torch.Tensor)


def test_runner_state_decodes_from_the_device_it_was_mapped_to():
    """Resuming on a GPU: mmengine loads the checkpoint with ``map_location='cuda'``, so the
    encoded runner state arrives as device tensors (measured on an H200: resume stopped
    with "can't convert cuda:0 device type tensor to numpy" in SafeCheckpointHook)."""
    buf = HistoryBuffer(max_length=5)
    buf.update(1.5, count=2)
    enc = encode_safe(dict(loss=buf, arr=np.arange(3, dtype=np.int16)))
    for entry in (enc['loss'], enc['arr']):
        for key in ('log_history', 'count_history', 'data'):
            if key in entry:
                entry[key] = entry[key].as_subclass(_DeviceTensor)
    dec = decode_safe(enc)
    np.testing.assert_array_equal(dec['loss']._log_history, buf._log_history)
    np.testing.assert_array_equal(dec['loss']._count_history, buf._count_history)
    np.testing.assert_array_equal(dec['arr'], np.arange(3, dtype=np.int16))


def test_plain_mmengine_checkpoint_is_refused_clearly(tmp_path):
    toy_runner(str(tmp_path), 1, safe=False).train()
    with pytest.raises(CheckpointSafetyError, match='it holds `getattr`'):
        _load_checkpoint(str(tmp_path / 'iter_1.pth'))


def test_safe_checkpoint_loads_weights_only_and_resumes(tmp_path):
    toy_runner(str(tmp_path), 2).train()
    ckpt = str(tmp_path / 'iter_2.pth')
    raw = torch.load(ckpt, weights_only=True)  # no allow-list needed at all
    assert set(raw) >= {'meta', 'state_dict', 'message_hub', 'optimizer', 'param_schedulers'}
    resumed = toy_runner(str(tmp_path / 'resumed'), 3, resume=True, load_from=ckpt)
    resumed.train()
    assert resumed.iter == 3
    hub = resumed.message_hub
    assert isinstance(hub.get_scalar('train/loss'), HistoryBuffer)
    assert len(hub.get_scalar('train/loss')._log_history) == 3  # 2 resumed + 1 new
    assert any(isinstance(h, SafeCheckpointHook) for h in resumed.hooks)


def official_style_checkpoint(path: str) -> nn.Module:
    model = nn.Sequential(nn.Conv2d(3, 4, 3), nn.BatchNorm2d(4))
    torch.save(dict(state_dict=model.state_dict(),
                    meta=dict(mmdet_version='2.0.0', CLASSES=('person', 'car'), epoch=12,
                              config='model = dict()', time='Mon Feb  3 2020')), path)
    return model


def test_official_style_checkpoint_loads_as_load_from(tmp_path):
    path = str(tmp_path / 'coco.pth')
    ref = official_style_checkpoint(path)
    model = nn.Sequential(nn.Conv2d(3, 4, 3), nn.BatchNorm2d(4))
    load_checkpoint(model, path)
    for a, b in zip(model.state_dict().values(), ref.state_dict().values()):
        assert torch.equal(a, b)


def test_url_checkpoint_downloads_and_loads_weights_only(tmp_path):
    serve_dir = tmp_path / 'served'
    serve_dir.mkdir()
    ref = official_style_checkpoint(str(serve_dir / 'official.pth'))
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(serve_dir))
    server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f'http://127.0.0.1:{server.server_address[1]}/official.pth'
        from endommlab.utils.checkpoint import load_from_http
        ckpt = load_from_http(url, map_location='cpu', model_dir=str(tmp_path / 'cache'))
    finally:
        server.shutdown()
    assert osp.isfile(tmp_path / 'cache' / 'official.pth')
    assert torch.equal(ckpt['state_dict']['0.weight'], ref.state_dict()['0.weight'])
    assert ckpt['meta']['CLASSES'] == ('person', 'car')


def test_checkpoint_with_code_is_refused(tmp_path):
    path = str(tmp_path / 'evil.pth')
    torch.save(dict(state_dict={}, hook=functools.partial(print, 'x')), path)
    with pytest.raises(CheckpointSafetyError, match='functools.partial'):
        _load_checkpoint(path)
