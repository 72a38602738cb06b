"""The model zoo: names resolve to config + shipped weights, and the shipped weights reproduce
their metafile's numbers.

``tools/test.py NAME`` on each shipped checkpoint (Kvasir-SEG val, converted from the real
release) must print the metafile's Dice and Jaccard to 1e-4; ``tools/infer.py NAME VIDEO``
segments a video with no training.
"""
import os.path as osp
import re

import cv2
import pytest

from endommlab.apis import find_model, list_models, resolve_model
from endommlab.datasets.converters import convert_kvasir_seg
from endommlab.errors import ConfigError
from conftest import REPO, run_tool

#: the zoo's names for the shipped NanoNet weights, NanoNet-C trained with negative frames, and
#: calibrated post-processing entries beside plain ones (the same weights)
SHIPPED = ('nanonet-a_kvasir-seg', 'nanonet-a_kvasir-seg_post-process', 'nanonet-b_kvasir-seg',
           'nanonet-c_kvasir-seg', 'nanonet-c_kvasir-seg-polypgen-neg',
           'nanonet-c_kvasir-seg-polypgen-neg_post-process')
#: metafile Dataset -> (fixture of its converted folder, split, {metafile metric: logged key})
SCORED_ON = {
    'Kvasir-SEG': ('kvasir_val', 'val', {'Dice': 'polyp/dice', 'Jaccard': 'polyp/jaccard'}),
    'PolypGen-C1-negatives-seq5-7': ('negatives', 'test',
                                     {'False-alarm rate': 'polyp/false_alarm_rate'}),
}


def _shipped():
    return [m for m in list_models() if m.weights]


def test_shipped_weights_are_small_with_their_log_and_curve():
    shipped = _shipped()
    assert sorted(a for m in shipped for a in m.aliases) == sorted(SHIPPED)
    for model in shipped:
        assert osp.isfile(model.weights), model.weights
        assert osp.getsize(model.weights) <= 10 * 2**20, f'{model.weights} is over 10 MB'
        stem = osp.splitext(model.weights)[0]
        assert osp.isfile(stem + '.scalars.json') and osp.isfile(stem + '.curves.png'), stem
        metrics = {k: v for r in model.results for k, v in r['Metrics'].items()}
        assert {'Dice', 'Jaccard'} <= set(metrics), f'{model.name}: no measured Dice/Jaccard'


def test_names_resolve_to_config_and_weights():
    config, checkpoint = resolve_model('NanoNet-A_kvasir-seg')  # any case, as mmseg's names
    model = find_model('nanonet-a_kvasir-seg')
    assert (config, checkpoint) == (model.config, model.weights)
    assert osp.isfile(config) and config.endswith('.py')
    # a checkpoint given by the user wins over the shipped one
    assert resolve_model('nanonet-a_kvasir-seg', 'mine.pth') == (config, 'mine.pth')
    # a config path passes through unchanged
    path = osp.join(REPO, 'configs', 'cascade_polyp.py')
    assert resolve_model(path, 'x.pth') == (path, 'x.pth')


def test_unknown_names_and_undistributed_weights_are_named():
    with pytest.raises(ConfigError, match=r'neither a config file nor a model-zoo name '
                       r'\(models with weights: nanonet-a_kvasir-seg'):
        resolve_model('nanonet-z_kvasir-seg')
    name = 'ra-brp_res2net50-v1b_1xb16-20e_kvasir-seg-512x512'
    with pytest.raises(ConfigError, match=r'weights are not distributed; train it with '
                       r'tools/train.py configs/reverse_attention/' + name):
        resolve_model(name)


@pytest.fixture(scope='module')
def kvasir_val(kvasir_src, tmp_path_factory) -> str:
    """The converter's split of the full release (880 train / 120 val)."""
    out = str(tmp_path_factory.mktemp('kvasir_full'))
    convert_kvasir_seg(kvasir_src, out)
    return out


@pytest.mark.slow
@pytest.mark.parametrize('name', SHIPPED)
def test_test_tool_reproduces_the_metafile(name, request, tmp_path):
    model = find_model(name)
    assert {r['Dataset'] for r in model.results} <= set(SCORED_ON), model.results
    for result in model.results:
        fixture, split, keys = SCORED_ON[result['Dataset']]
        res = run_tool('tools/test.py', name, '--work-dir', str(tmp_path), '--cfg-options',
                       f'test_dataloader.dataset.data_root={request.getfixturevalue(fixture)}',
                       f'test_dataloader.dataset.ann_file=splits/{split}.txt')
        assert res.returncode == 0, res.stdout[-2000:] + res.stderr[-3000:]
        for key, metric in keys.items():
            got = float(re.search(rf'{metric}: ([0-9.]+)', res.stdout + res.stderr).group(1))
            expected = result['Metrics'][key]
            assert abs(got - expected) <= 1e-4, f'{name}: {key} {got} vs {expected}'


@pytest.mark.slow
def test_infer_segments_a_video_with_a_zoo_name(kvasir_src, tmp_path):
    video = str(tmp_path / 'colonoscopy.avi')
    writer = cv2.VideoWriter(video, cv2.VideoWriter_fourcc(*'MJPG'), 10, (320, 256))
    images = sorted(osp.join(kvasir_src, 'images', f) for f in
                    ('cju0qkwl35piu0993l0dewei2.jpg', 'cju0qoxqj9q6s0835b43399p4.jpg'))
    for path in images * 3:
        writer.write(cv2.resize(cv2.imread(path), (320, 256)))
    writer.release()
    out = tmp_path / 'out'
    res = run_tool('tools/infer.py', 'nanonet-a_kvasir-seg', video, '--out-dir', str(out),
                   '--threads', '1', '--no-progress')
    assert res.returncode == 0, res.stderr[-3000:]
    assert res.stdout.startswith('pytorch: 6 frames: ')
    assert (out / 'colonoscopy_overlay.mp4').is_file()
    rows = (out / 'results.csv').read_text().splitlines()
    assert len(rows) == 7
    assert sum(row.split(',')[2] == 'True' for row in rows[1:]) >= 4  # polyps found


@pytest.mark.slow
def test_export_a_zoo_model_by_name(tmp_path):
    """export_onnx.py takes a zoo name; the cached test pipeline still gives the input size."""
    out = str(tmp_path / 'nanonet-a.onnx')
    res = run_tool('tools/deployment/export_onnx.py', 'nanonet-a_kvasir-seg', '-o', out)
    assert res.returncode == 0, res.stderr[-3000:]
    assert 'input 1x3x256x256' in res.stdout and osp.isfile(out)
