"""Dataset converters: real Kvasir-SEG, the generic converter's bad-input handling, demo set."""
import glob
import json
import os
import os.path as osp
import shutil

import cv2
import numpy as np
import pytest
import tifffile
from mmengine.config import Config
from mmengine.registry import DATASETS, init_default_scope
from mmengine.runner import Runner
from PIL import Image, UnidentifiedImageError
from pycocotools import mask as mask_utils

from endommlab.datasets.converters import (ConversionReport, binarize_mask, convert_kvasir_seg,
                                           convert_pairs, find_pairs, make_synthetic_polyp_set,
                                           mask_to_instances, split_stems)
from endommlab.errors import ConfigError, DataError, DataRootNotFoundError
from conftest import REPO, run_tool, tool_main


@pytest.fixture(scope='module')
def kvasir_full(kvasir_src, tmp_path_factory):
    out = str(tmp_path_factory.mktemp('kvasir_full'))
    return out, convert_kvasir_seg(kvasir_src, out)


@pytest.mark.slow
def test_kvasir_seg_full_conversion(kvasir_src, kvasir_full):
    out, report = kvasir_full
    assert len(report.converted) == 1000
    assert not report.skipped
    assert len(report.splits['train']) == 880 and len(report.splits['val']) == 120
    assert set(report.splits['train']).isdisjoint(report.splits['val'])
    assert len(os.listdir(osp.join(out, 'masks'))) == 1000
    with open(osp.join(out, 'splits', 'val.txt')) as f:
        assert [s.strip() for s in f] == report.splits['val']

    with open(osp.join(kvasir_src, 'kavsir_bboxes.json')) as f:
        boxes = json.load(f)
    cocos = {}
    for split in ('train', 'val'):
        with open(osp.join(out, 'annotations', f'instances_{split}.json')) as f:
            cocos[split] = json.load(f)
    per_image = {}
    for coco in cocos.values():
        names = {im['id']: osp.splitext(im['file_name'])[0] for im in coco['images']}
        for ann in coco['annotations']:
            per_image.setdefault(names[ann['image_id']], []).append(ann)
    assert len(per_image) == 1000  # every Kvasir-SEG image holds a polyp
    multi = [s for s, anns in per_image.items() if len(anns) > 1]
    multi_in_json = [s for s, b in boxes.items() if len(b['bbox']) > 1]
    assert len(multi_in_json) == 55
    assert len(set(multi) & set(multi_in_json)) >= 45  # multi-polyp images yield several instances
    stem = 'cju0roawvklrq0799vmjorwfv' if 'cju0roawvklrq0799vmjorwfv' in per_image else multi[0]
    assert len(per_image[stem]) >= 2

    # instance boxes agree with the release's boxes: >= 99% of the 1071 boxes matched (IoU >= 0.5),
    # the rest listed in the report, and matched boxes agree to within a few pixels on most edges
    n_boxes = sum(len(b['bbox']) for b in boxes.values())
    unmatched = [n for n in report.notes if 'match no instance' in n and n.startswith('  ')]
    assert len(unmatched) <= 0.01 * n_boxes
    offsets = []
    for s, b in boxes.items():
        for jb in b['bbox']:
            best = min(per_image[s], key=lambda a: sum(abs(u - v) for u, v in zip(
                [a['bbox'][0], a['bbox'][1],
                 a['bbox'][0] + a['bbox'][2], a['bbox'][1] + a['bbox'][3]],
                [jb['xmin'], jb['ymin'], jb['xmax'], jb['ymax']])))
            x, y, w, h = best['bbox']
            offsets.append(max(abs(x + w - jb['xmax']), abs(y + h - jb['ymax'])))
    assert np.mean(np.array(offsets) <= 3) > 0.97


def test_kvasir_masks_are_binary_and_match_rle(kvasir_full):
    out, report = kvasir_full
    with open(osp.join(out, 'annotations', 'instances_val.json')) as f:
        coco = json.load(f)
    for im in coco['images'][:20]:
        stem = osp.splitext(im['file_name'])[0]
        mask = cv2.imread(osp.join(out, 'masks', stem + '.png'), cv2.IMREAD_UNCHANGED)
        assert mask.shape == (im['height'], im['width'])
        assert set(np.unique(mask)) <= {0, 1}
        anns = [a for a in coco['annotations'] if a['image_id'] == im['id']]
        union = np.zeros_like(mask)
        for a in anns:
            union |= mask_utils.decode(a['segmentation'])
        assert np.array_equal(union, mask)  # RLE instances reproduce the binary mask exactly


def test_split_is_deterministic_and_seeded(kvasir_full):
    out, report = kvasir_full
    assert split_stems(report.converted[::-1], 120, seed=0) == report.splits
    assert split_stems(report.converted, 120, seed=1) != report.splits


def write(path, array):
    os.makedirs(osp.dirname(path), exist_ok=True)
    assert cv2.imwrite(path, array)


@pytest.fixture
def raw_set(tmp_path):
    """A raw images/masks folder with one good pair, one negative and every kind of bad input."""
    img_dir, mask_dir = tmp_path / 'images', tmp_path / 'masks'
    rng = np.random.default_rng(0)
    image = rng.integers(0, 255, (40, 50, 3), dtype=np.uint8)
    good = np.zeros((40, 50), np.uint8)
    good[5:20, 5:20] = 255
    good[25:35, 30:45] = 255
    write(str(img_dir / 'good.jpg'), image)
    write(str(mask_dir / 'good.png'), good)
    write(str(img_dir / 'negative.png'), image)
    write(str(mask_dir / 'negative.tif'), np.zeros((40, 50), np.uint8))
    write(str(img_dir / 'onezero.jpg'), image)
    write(str(mask_dir / 'onezero.png'), (good > 0).astype(np.uint8))
    write(str(img_dir / 'nomask.jpg'), image)
    write(str(img_dir / 'wrongsize.jpg'), image)
    write(str(mask_dir / 'wrongsize.png'), np.zeros((20, 50), np.uint8))
    write(str(img_dir / 'labelmap.jpg'), image)
    write(str(mask_dir / 'labelmap.png'), (good > 0).astype(np.uint8) * 3)
    write(str(img_dir / 'soft.jpg'), image)
    write(str(mask_dir / 'soft.png'), np.tile(np.linspace(0, 255, 50, dtype=np.uint8), (40, 1)))
    write(str(img_dir / 'truncated.jpg'), image)
    data = (img_dir / 'truncated.jpg').read_bytes()
    (img_dir / 'truncated.jpg').write_bytes(data[:len(data) // 2])
    write(str(mask_dir / 'truncated.png'), good)
    (img_dir / 'notes.txt').write_text('not an image')
    return str(img_dir), str(mask_dir)


def test_generic_converter_reports_every_bad_input(raw_set, tmp_path):
    img_dir, mask_dir = raw_set
    report = ConversionReport()
    pairs = find_pairs(img_dir, mask_dir, report)
    report = convert_pairs(pairs, str(tmp_path / 'out'), report, num_val=0, img_suffix='.png')
    assert sorted(report.converted) == ['good', 'negative', 'onezero']
    assert report.negatives == ['negative']
    assert report.splits == {'test': ['good', 'negative', 'onezero']}
    reasons = report.skipped
    assert reasons['nomask'] == 'mask missing'
    assert 'mask size 50x20 != image size 50x40' in reasons['wrongsize']
    assert 'not binary' in reasons['labelmap'] and 'values up to 3' in reasons['labelmap']
    assert 'not binary after thresholding' in reasons['soft']
    assert 'unreadable image' in reasons['truncated']
    assert 'unknown file type ".txt"' in reasons['images/notes.txt']
    assert len(report.converted) + len([k for k in reasons if '/' not in k]) == 8  # nothing lost
    summary = report.summary()
    assert 'converted: 3' in summary and 'skipped: 6' in summary and 'mask missing' in summary
    out_mask = cv2.imread(str(tmp_path / 'out' / 'masks' / 'good.png'), cv2.IMREAD_UNCHANGED)
    assert set(np.unique(out_mask)) == {0, 1}
    with open(tmp_path / 'out' / 'annotations' / 'instances_test.json') as f:
        coco = json.load(f)
    assert len(coco['images']) == 3
    assert len(coco['annotations']) == 4  # two regions in each of good and onezero


def test_strict_mode_raises_named_error(raw_set, tmp_path):
    img_dir, mask_dir = raw_set
    report = ConversionReport()
    pairs = [p for p in find_pairs(img_dir, mask_dir, report) if p.stem == 'wrongsize']
    with pytest.raises(DataError, match='wrongsize: mask size'):
        convert_pairs(pairs, str(tmp_path / 'out'), report, strict=True)
    with pytest.raises(ConfigError, match="img_suffix '.tif': images are written as one of .jpg"):
        convert_pairs(pairs, str(tmp_path / 'out'), report, img_suffix='.tif')


def test_binarize_thresholds_jpeg_noise():
    m = np.zeros((10, 10), np.uint8)
    m[:5] = 250
    m[5:, :2] = 7  # JPEG noise near 0
    m[0, 0] = 231  # noise near 255
    assert binarize_mask(m).sum() == 50
    assert binarize_mask((m > 128).astype(np.uint8)).sum() == 50


def test_mask_to_instances_boxes():
    m = np.zeros((10, 12), np.uint8)
    m[1:4, 2:6] = 1
    m[6:9, 8:11] = 1
    inst = mask_to_instances(m)
    assert [i['bbox'] for i in inst] == [[2, 1, 4, 3], [8, 6, 3, 3]]
    assert [i['area'] for i in inst] == [12, 9]


def test_missing_sources_are_named(tmp_path):
    with pytest.raises(DataRootNotFoundError, match='Kvasir-SEG release folder'):
        convert_kvasir_seg(str(tmp_path / 'nope'), str(tmp_path / 'out'))
    with pytest.raises(DataError, match='does not exist'):
        find_pairs(str(tmp_path / 'a'), str(tmp_path / 'b'), ConversionReport())


@pytest.mark.slow
def test_converter_cli_prints_summary(raw_set, tmp_path):
    img_dir, mask_dir = raw_set
    res = run_tool('tools/dataset_converters/images_masks.py', img_dir, mask_dir,
                   '-o', str(tmp_path / 'cli'), '--split-name', 'test')
    assert res.returncode == 0, res.stderr
    assert 'converted: 3 image/mask pairs (1 negatives' in res.stdout
    assert 'mask missing' in res.stdout
    res = run_tool('tools/dataset_converters/kvasir_seg.py', str(tmp_path / 'missing'),
                   '-o', str(tmp_path / 'k'))
    assert res.returncode == 2
    assert 'error: Kvasir-SEG release folder' in res.stderr and 'Traceback' not in res.stderr


def test_demo_set(tmp_path):
    report = make_synthetic_polyp_set(str(tmp_path), num_images=12, num_val=4, size=(96, 96))
    assert len(report.converted) == 12
    assert len(report.negatives) == 2  # every sixth image
    assert len(report.splits['train']) == 8 and len(report.splits['val']) == 4
    mask = cv2.imread(str(tmp_path / 'masks' / 'synth_0000.png'), cv2.IMREAD_UNCHANGED)
    assert mask.shape == (96, 96) and mask.max() == 1


def colour_pattern(h: int = 24, w: int = 32) -> np.ndarray:
    """RGB test card: red rises with x, green with y, blue in stripes; no two channels alike."""
    y, x = np.mgrid[:h, :w]
    return np.stack([x * 7, y * 10, (x + y) % 5 * 50], axis=2).astype(np.uint8)


def write_tiff(path, array: np.ndarray, planarconfig: str = 'contig') -> None:
    """CVC-ClinicDB's layout: PhotometricInterpretation BlackIsZero, samples interleaved."""
    os.makedirs(osp.dirname(str(path)), exist_ok=True)
    tifffile.imwrite(str(path), array, photometric='minisblack', planarconfig=planarconfig)


def polyp_mask(h: int = 24, w: int = 32) -> np.ndarray:
    mask = np.zeros((h, w), np.uint8)
    mask[4:12, 6:20] = 1
    return mask


@pytest.fixture(scope='module')
def cvc_release(tmp_path_factory):
    """Three frames laid out like the CVC-ClinicDB release: 3-sample BlackIsZero TIFF images
    and masks (0/255, replicated in the three samples)."""
    root = tmp_path_factory.mktemp('cvc_release')
    for i in (1, 2, 3):
        write_tiff(root / 'Original' / f'{i}.tif', np.roll(colour_pattern(), i, axis=1))
        mask = polyp_mask() * 255 if i != 3 else np.zeros((24, 32), np.uint8)
        write_tiff(root / 'Ground Truth' / f'{i}.tif', np.repeat(mask[..., None], 3, axis=2))
    return str(root / 'Original'), str(root / 'Ground Truth')


@pytest.fixture(scope='module')
def cvc_converted(cvc_release, tmp_path_factory):
    """The release converted by tools/dataset_converters/images_masks.py (PNG images)."""
    out = str(tmp_path_factory.mktemp('cvc_converted'))
    res = run_tool('tools/dataset_converters/images_masks.py', *cvc_release, '-o', out,
                   '--num-val', '1')
    assert res.returncode == 0, res.stderr
    assert 'converted: 3 image/mask pairs (1 negatives' in res.stdout and 'skipped: 0' in res.stdout
    return out


def test_blackiszero_tiff_is_read_as_its_rgb_colours(cvc_release, cvc_converted):
    img_dir, mask_dir = cvc_release
    with pytest.raises(UnidentifiedImageError):
        Image.open(osp.join(img_dir, '1.tif'))  # the layout Pillow refuses
    for i in (1, 2, 3):
        out = cv2.imread(osp.join(cvc_converted, 'images', f'{i}.png'), cv2.IMREAD_UNCHANGED)
        assert np.array_equal(out[..., ::-1], np.roll(colour_pattern(), i, axis=1))  # RGB order
        mask = cv2.imread(osp.join(cvc_converted, 'masks', f'{i}.png'), cv2.IMREAD_UNCHANGED)
        assert np.array_equal(mask, polyp_mask() if i != 3 else np.zeros((24, 32), np.uint8))


def test_odd_tiffs_convert_or_are_named_skips(tmp_path):
    src, pattern, mask = tmp_path / 'src', colour_pattern(), polyp_mask()
    write_tiff(src / 'images' / 'rgb16.tif', pattern.astype(np.uint16) * 257)
    write_tiff(src / 'masks' / 'rgb16.tif', mask.astype(np.uint16) * 65535)
    write_tiff(src / 'images' / 'planar.tif', np.moveaxis(pattern, 2, 0), planarconfig='separate')
    write_tiff(src / 'masks' / 'planar.tif', mask.astype(np.uint16))  # 0/1 in 16 bits
    write_tiff(src / 'images' / 'float.tif', pattern.astype(np.float32))
    write_tiff(src / 'masks' / 'float.tif', mask * 255)
    write_tiff(src / 'images' / 'stack.tif', np.stack([pattern, pattern]))
    write_tiff(src / 'masks' / 'stack.tif', mask * 255)
    write_tiff(src / 'images' / 'truncated.tif', pattern)
    data = (src / 'images' / 'truncated.tif').read_bytes()
    (src / 'images' / 'truncated.tif').write_bytes(data[:len(data) // 2])
    write_tiff(src / 'masks' / 'truncated.tif', mask * 255)
    report = ConversionReport()
    pairs = find_pairs(str(src / 'images'), str(src / 'masks'), report)
    report = convert_pairs(pairs, str(tmp_path / 'out'), report, img_suffix='.png')
    assert sorted(report.converted) == ['planar', 'rgb16']
    for stem in report.converted:
        out = cv2.imread(str(tmp_path / 'out' / 'images' / f'{stem}.png'), cv2.IMREAD_UNCHANGED)
        assert np.array_equal(out[..., ::-1], pattern), stem
        out_mask = cv2.imread(str(tmp_path / 'out' / 'masks' / f'{stem}.png'), cv2.IMREAD_UNCHANGED)
        assert np.array_equal(out_mask, mask), stem
    assert set(report.skipped) == {'float', 'stack', 'truncated'}
    assert 'float32' in report.skipped['float']
    assert 'unsupported TIFF layout' in report.skipped['stack']
    assert all(r.startswith('unreadable image') for r in report.skipped.values())


def configs_reading(dataset_type: str) -> list:
    """(path, config) of every config whose test set is a ``dataset_type``."""
    found = []
    for path in sorted(glob.glob(osp.join(REPO, 'configs', '**', '*.py'), recursive=True)):
        if '_base_' not in path:
            cfg = Config.fromfile(path)
            if cfg.get('test_dataloader', {}).get('dataset', {}).get('type') == dataset_type:
                found.append((osp.relpath(path, REPO), cfg))
    assert found, dataset_type
    return found


#: Each build's serialisation runs gc.collect() (0.3 s); file look-up does not depend on it.
NO_SERIALIZE = dict(serialize_data=False)


def split_images(root: str, split: str) -> list:
    with open(osp.join(root, 'splits', f'{split}.txt')) as f:
        return [osp.join(root, 'images', line.strip() + '.png') for line in f]


def test_converted_set_loads_in_every_segmentation_config(cvc_converted):
    import endommlab  # noqa: F401  (registers the data sets)
    init_default_scope('mmseg')
    for name, cfg in configs_reading('PolypSegDataset'):
        for split in [s for s in ('train', 'test') if cfg[f'{s}_dataloader']]:  # ensemble: test
            dataset_cfg = cfg[f'{split}_dataloader'].dataset
            if dataset_cfg.type == 'ConcatDataset':  # Kvasir-SEG + negative frames: the former
                dataset_cfg = next(d for d in dataset_cfg.datasets
                                   if d.data_root == 'data/kvasir-seg')
            dataset = DATASETS.build(dict(dataset_cfg, data_root=cvc_converted, **NO_SERIALIZE))
            paths = [dataset.get_data_info(i)['img_path'] for i in range(len(dataset))]
            expected = split_images(cvc_converted, 'train' if split == 'train' else 'val')
            assert paths == expected, name
        sample = dataset[0]
        assert sample['inputs'].shape[0] == 3, name
        gt = sample['data_samples'].gt_sem_seg.data[0].numpy()
        assert np.array_equal(gt, cv2.imread(split_images(cvc_converted, 'val')[0].replace(
            'images', 'masks'), cv2.IMREAD_UNCHANGED)), name
    loader = Runner.build_dataloader(dict(
        cfg.test_dataloader, num_workers=0, persistent_workers=False,
        dataset=dict(cfg.test_dataloader.dataset, data_root=cvc_converted)))
    assert len(next(iter(loader))['inputs']) == 1


def test_converted_set_loads_in_every_instance_config(cvc_converted):
    import endommlab  # noqa: F401
    init_default_scope('mmdet')
    for name, cfg in configs_reading('PolypCocoDataset'):
        dataset = DATASETS.build(dict(cfg.test_dataloader.dataset, data_root=cvc_converted,
                                      **NO_SERIALIZE))
        assert [dataset.get_data_info(i)['img_path'] for i in range(len(dataset))] == split_images(
            cvc_converted, 'val'), name
        sample = dataset[0]
        assert sample['inputs'].shape[0] == 3, name
        positive = osp.basename(sample['data_samples'].img_path) != '3.png'
        assert len(sample['data_samples'].gt_instances) == int(positive), name


def test_missing_image_error_names_the_real_cause(cvc_converted, tmp_path):
    import endommlab  # noqa: F401
    root = str(tmp_path / 'set')
    shutil.copytree(cvc_converted, root)
    renamed, removed = [osp.splitext(p)[0] for p in split_images(root, 'train')]
    os.rename(renamed + '.png', renamed + '.webp')
    os.remove(removed + '.png')
    renamed, removed = osp.basename(renamed), osp.basename(removed)
    cfg = Config.fromfile(osp.join(REPO, 'configs', '_base_', 'datasets', 'kvasir_seg_semantic.py'))
    init_default_scope('mmseg')
    with pytest.raises(DataError) as err:
        DATASETS.build(dict(cfg.train_dataloader.dataset, data_root=root))
    assert (f'2 files named by splits/train.txt are missing: images/{renamed}.jpg (images/ holds '
            f'{renamed}.webp), images/{removed}.jpg (no file named {removed}.* in images/)'
            ) in str(err.value)


def _digest(folder: str) -> dict:
    return {name: open(osp.join(folder, name), 'rb').read() for name in sorted(os.listdir(folder))}


def test_converter_never_writes_over_its_input(raw_set, tmp_path, capsys):
    """Measured: ``images_masks.py X/images X/masks -o X`` rewrote the source masks in place."""
    img_dir, mask_dir = raw_set
    before = _digest(mask_dir)
    code = tool_main('dataset_converters/images_masks.py', img_dir, mask_dir, '-o', str(tmp_path))
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and err[-1].startswith('error: ')
    assert 'would overwrite its own input' in err[-1]
    assert _digest(mask_dir) == before  # every source mask byte for byte


def test_converting_again_needs_overwrite_and_removes_only_its_own_files(raw_set, tmp_path,
                                                                         capsys):
    """Measured: a second conversion into the same folder left the earlier images beside the
    new masks, and tools/test.py later failed on them."""
    img_dir, mask_dir = raw_set
    out = str(tmp_path / 'out')
    convert_pairs(find_pairs(img_dir, mask_dir, ConversionReport()), out, ConversionReport())
    user_file = osp.join(out, 'images', 'my_notes.txt')  # not written by the converter
    open(user_file, 'w').write('keep me')
    os.remove(osp.join(mask_dir, 'good.png'))  # the new conversion lacks 'good'
    args = ('dataset_converters/images_masks.py', img_dir, mask_dir, '-o', out)
    assert tool_main(*args) == 2
    assert 'already holds images, masks, splits, annotations, conversion_report.json: add ' \
        '--overwrite' in capsys.readouterr().err
    assert tool_main(*args, '--overwrite') == 0
    assert 'removed 9 files of the earlier conversion' in capsys.readouterr().out
    assert sorted(os.listdir(osp.join(out, 'images'))) == [
        'my_notes.txt', 'negative.png', 'onezero.png']
    with open(osp.join(out, 'conversion_report.json')) as f:
        assert 'images/good.jpg' in json.load(f)['removed']
    assert open(user_file).read() == 'keep me'


def test_unwritable_output_is_an_error_not_a_success(raw_set, tmp_path, capsys, monkeypatch):
    """Measured: with masks/ unwritable the converter printed "written to" and exited 0
    (``cv2.imwrite`` returns False instead of raising; as root no folder is unwritable, so
    the refusal is simulated)."""
    img_dir, mask_dir = raw_set
    out = tmp_path / 'out'
    with monkeypatch.context() as patch:
        patch.setattr(cv2, 'imwrite', lambda *args, **kwargs: False)
        code = tool_main('dataset_converters/images_masks.py', img_dir, mask_dir, '-o', str(out))
    captured = capsys.readouterr()
    assert code == 2 and 'written to' not in captured.out
    assert captured.err.strip().splitlines()[-1] == \
        f"error: could not write {out / 'masks' / 'good.png'}"
    blocked = tmp_path / 'blocked'
    blocked.write_text('a file where the output folder should be')
    assert tool_main('dataset_converters/images_masks.py', img_dir, mask_dir, '-o',
                     str(blocked)) == 2
    assert 'error: cannot create' in capsys.readouterr().err


def test_soft_jpeg_masks_are_accepted_when_asked(tmp_path):
    """Measured: resized JPEG masks (2-7 % soft-edge pixels) were all skipped, with no option
    to accept them."""
    img_dir, mask_dir = tmp_path / 'images', tmp_path / 'masks'
    mask = np.zeros((64, 64), np.uint8)
    mask[16:48, 16:48] = 255
    soft = cv2.resize(cv2.resize(mask, (20, 20), interpolation=cv2.INTER_AREA), (64, 64))
    write(str(img_dir / 'a.jpg'), np.full((64, 64, 3), 90, np.uint8))
    write(str(mask_dir / 'a.jpg'), soft)
    share = np.count_nonzero((soft >= 32) & (soft < 224)) / np.count_nonzero(soft)
    assert 0.02 < share < 0.3
    report = convert_pairs(find_pairs(str(img_dir), str(mask_dir), ConversionReport()),
                           str(tmp_path / 'strict'), ConversionReport())
    assert '--max-ambiguous' in report.skipped['a']
    report = convert_pairs(find_pairs(str(img_dir), str(mask_dir), ConversionReport()),
                           str(tmp_path / 'soft'), ConversionReport(), max_ambiguous=0.3)
    assert report.converted == ['a']
    out = cv2.imread(str(tmp_path / 'soft' / 'masks' / 'a.png'), cv2.IMREAD_UNCHANGED)
    assert abs(int(out.sum()) - 32 * 32) < 32 * 4  # thresholded at 128: the square comes back
