"""Shared fixtures: real Kvasir-SEG (from ../shared/data) and the generated demo set.

Tests that need the real data skip with a reason when ``../shared/data`` is
absent, unless ``ENDOMMLAB_REQUIRE_DATA=1`` (set by ``.ci/run``) makes the
absence a failure.
"""
import os
import os.path as osp
import subprocess
import sys

import pytest

os.environ.setdefault('NO_ALBUMENTATIONS_UPDATE', '1')
if os.environ.get('PYTEST_XDIST_WORKER'):
    # One thread per pytest-xdist worker (and per tool it runs): the workers share the cores.
    os.environ['OMP_NUM_THREADS'] = '1'
    import torch
    torch.set_num_threads(1)

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
SHARED_DATA = os.environ.get('ENDOMMLAB_SHARED_DATA', osp.join(osp.dirname(REPO), 'shared', 'data'))
KVASIR_SRC = osp.join(SHARED_DATA, 'kvasir-seg')
HYPERKVASIR_SPLITS = osp.join(SHARED_DATA, 'hyperkvasir', 'official_splits')
NEGATIVES = osp.join(SHARED_DATA, 'polypgen-negatives', 'centre_A')
#: the negative sequences by split, as docs/results.md converts them
NEGATIVE_SPLITS = {'train': ['seq1_neg', 'seq2_neg'], 'calib': ['seq3_neg', 'seq4_neg'],
                   'test': ['seq5_neg', 'seq6_neg', 'seq7_neg']}


def require_path(path: str) -> str:
    """Skip (or fail, under ENDOMMLAB_REQUIRE_DATA=1) when ``path`` is missing."""
    if not osp.exists(path):
        msg = f'real data {path} is not here (../shared/data is beside the repository in CI)'
        if os.environ.get('ENDOMMLAB_REQUIRE_DATA') == '1':
            pytest.fail(msg + ' and ENDOMMLAB_REQUIRE_DATA=1 requires it')
        pytest.skip(msg)
    return path


@pytest.fixture(scope='session')
def kvasir_src() -> str:
    """The official Kvasir-SEG release folder (1000 images)."""
    return require_path(KVASIR_SRC)


@pytest.fixture(scope='session')
def kvasir_small(kvasir_src, tmp_path_factory) -> str:
    """24 real Kvasir-SEG images converted (16 train / 8 val): for training tests."""
    from endommlab.datasets.converters import ConversionReport, convert_pairs, find_pairs
    out = str(tmp_path_factory.mktemp('kvasir_small'))
    report = ConversionReport()
    pairs = find_pairs(osp.join(kvasir_src, 'images'), osp.join(kvasir_src, 'masks'), report)
    convert_pairs(pairs[:24], out, report, num_val=8, seed=0)
    return out


@pytest.fixture(scope='session')
def negatives(tmp_path_factory) -> str:
    """The 250 real PolypGen frames without a polyp, converted by sequence (79/59/112)."""
    from endommlab.datasets.converters import convert_negative_frames
    out = str(tmp_path_factory.mktemp('negatives'))
    report = convert_negative_frames(require_path(NEGATIVES), out, NEGATIVE_SPLITS)
    assert len(report.converted) == 250 and len(report.negatives) == 250 and not report.skipped
    return out


@pytest.fixture(scope='session')
def demo_root(tmp_path_factory) -> str:
    """The generated endoscopy-like set: 16 images (12 train / 4 val), 128x128."""
    from endommlab.datasets.converters import make_synthetic_polyp_set
    out = str(tmp_path_factory.mktemp('endo_demo'))
    make_synthetic_polyp_set(out, num_images=16, num_val=4, size=(128, 128))
    return out


def run_tool(*args: str, timeout: int = 900, env: dict = None) -> subprocess.CompletedProcess:
    """Run ``python tools/<args>`` from the repository root; output captured."""
    full_env = dict(os.environ, PYTHONUNBUFFERED='1', **(env or {}))
    return subprocess.run([sys.executable, *args], cwd=REPO, capture_output=True, text=True,
                          timeout=timeout, env=full_env)


def tool_main(script: str, *argv: str) -> int:
    """``tools/<script>`` run in this process (saves a start-up per call); its exit code."""
    import runpy
    tool = osp.join(REPO, 'tools', script)
    old = sys.argv
    sys.argv = [tool, *argv]
    try:
        runpy.run_path(tool, run_name='__main__')
        return 0
    except SystemExit as e:
        return e.code
    finally:
        sys.argv = old


def strict_albu(transform_cfg: dict, seed: int = 0):
    """One albumentations transform from its config dict, at p=1 and seeded.

    albumentations 2 only warns about arguments it ignores, so any warning while
    building it fails the test.
    """
    import warnings

    import albumentations as A
    args = dict(transform_cfg)
    name = args.pop('type')
    args['p'] = 1.0
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        return A.Compose([getattr(A, name)(**args)], seed=seed)


#: Modules whose tests are independent runs (they share what they share through a file lock):
#: pytest-xdist may spread their tests over the workers.
SPREAD_OVER_WORKERS = ('tests/test_train_eval_consistency.py', )


def pytest_xdist_make_scheduler(config: pytest.Config, log) -> object:
    """A module's tests on one worker, so that its module-scoped fixtures (a training run, a
    converted data set) are built once; the tests of ``SPREAD_OVER_WORKERS`` one by one.

    Work units go out in collection order (see ``pytest_collection_modifyitems``).
    """
    from xdist.scheduler import LoadScopeScheduling

    class ModuleScheduling(LoadScopeScheduling):

        def _split_scope(self, nodeid: str) -> str:
            module = nodeid.split('::', 1)[0]
            return nodeid if module in SPREAD_OVER_WORKERS else module

    return ModuleScheduling(config, log)


def pytest_collection_modifyitems(config: pytest.Config, items: list) -> None:
    """Modules with a ``slow`` test first, each in its own order (a test may use what an earlier
    one wrote): the workers start on the long runs and the short tests fill the gaps at the end."""
    slow = {item.module.__name__ for item in items if item.get_closest_marker('slow')}
    items.sort(key=lambda item: item.module.__name__ not in slow)
