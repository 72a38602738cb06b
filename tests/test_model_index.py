"""The model index: ``model-index.yml`` -> ``configs/<method>/metafile.yml`` -> every config.

Checks that every config is listed exactly once, that ``mim search endommlab`` reads the index
through ``endommlab/.mim/model-index.yml``, and that every measured metric in a metafile is
the one in its method page's "Results and models" table.
"""
import glob
import os
import os.path as osp
import re
import subprocess
import sys
import tempfile

import yaml

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))


def _load(path: str) -> dict:
    with open(osp.join(REPO, path), encoding='utf-8') as f:
        return yaml.safe_load(f)


def _metafiles() -> list:
    return _load('model-index.yml')['Import']


def _models() -> list:
    """(metafile, model dict) of every model in the index."""
    return [(meta, m) for meta in _metafiles() for m in _load(meta)['Models']]


def _configs() -> list:
    """Every config file under configs/ except the _base_ pieces, relative to the repository."""
    paths = glob.glob(osp.join(REPO, 'configs', '**', '*.py'), recursive=True)
    rel = [osp.relpath(p, REPO).replace(os.sep, '/') for p in paths]
    return sorted(p for p in rel if not p.startswith('configs/_base_/'))


def _results_table(readme: str) -> dict:
    """Rows of the "Results and models" table of a method page: config name -> {column: cell}."""
    with open(osp.join(REPO, readme), encoding='utf-8') as f:
        text = f.read()
    section = text.split('## Results and models', 1)[1].split('\n## ', 1)[0]
    lines = [ln for ln in section.splitlines() if ln.startswith('|')]
    header = [c.strip() for c in lines[0].strip('|').split('|')]
    rows = {}
    for line in lines[2:]:
        cells = [c.strip() for c in line.strip('|').split('|')]
        name = re.match(r'\[([^\]]+)\]', cells[0])
        assert name, f'{readme}: the config cell should link the config: {cells[0]}'
        rows[name.group(1)] = dict(zip(header, cells))
    return rows


def _number(cell: str):
    cell = cell.replace('*', '').strip()
    return None if cell in ('—', '-', '–', '') else float(cell)


def test_every_config_is_in_exactly_one_metafile():
    assert sorted(_metafiles()) == sorted(
        osp.relpath(p, REPO).replace(os.sep, '/')
        for p in glob.glob(osp.join(REPO, 'configs', '*', 'metafile.yml'))), \
        'model-index.yml should import every configs/<method>/metafile.yml'
    listed = {}
    for meta, m in _models():
        cfg = m['Config']
        assert osp.isfile(osp.join(REPO, cfg)), f'{meta}: {m["Name"]}: {cfg} does not exist'
        assert m['Name'] == osp.splitext(osp.basename(cfg))[0], \
            f'{meta}: the model name should be the config file name: {m["Name"]} vs {cfg}'
        listed.setdefault(cfg, []).append(meta)
    twice = {cfg: metas for cfg, metas in listed.items() if len(metas) > 1}
    assert not twice, f'configs listed more than once: {twice}'
    missing = [cfg for cfg in _configs() if cfg not in listed]
    assert not missing, f'configs missing from every metafile: {missing}'
    names = [m['Name'] for _, m in _models()]
    assert len(names) == len(set(names)), 'model names must be unique'


def test_collections_name_their_readme_and_no_dead_weights():
    for meta in _metafiles():
        data = _load(meta)
        collections = {c['Name']: c for c in data['Collections']}
        for c in collections.values():
            assert osp.isfile(osp.join(REPO, c['README'])), f'{meta}: {c["README"]}'
        for m in data['Models']:
            assert m['In Collection'] in collections, f'{meta}: {m["Name"]}'
            if 'Weights' in m:  # shipped inside the repository: never a dead link
                assert osp.isfile(osp.join(REPO, m['Weights'])), f'{meta}: {m["Weights"]}'


def test_metrics_match_the_method_pages():
    for meta, m in _models():
        readme = osp.join(osp.dirname(meta), 'README.md').replace(os.sep, '/')
        rows = _results_table(readme)
        assert m['Name'] in rows, f'{readme}: no "Results and models" row for {m["Name"]}'
        row = rows[m['Name']]
        metrics = {}
        for result in m.get('Results') or []:
            metrics.update(result['Metrics'])
        for key, column in (('Dice', 'Dice'), ('Jaccard', 'Jaccard'),
                            ('False-alarm rate', 'false alarms')):
            if column in row or key in metrics:
                assert _number(row[column]) == metrics.get(key), \
                    f'{m["Name"]}: {key} {metrics.get(key)} in {meta}, {row[column]!r} in {readme}'


def test_mim_search_lists_every_model():
    link = osp.join(REPO, 'endommlab', '.mim', 'model-index.yml')
    assert osp.exists(link), (
        'endommlab/.mim/model-index.yml is missing: reinstall with '
        '`pip install --no-deps --no-build-isolation -e .` (setup.py links it there)')
    # the console script a user types, from outside the repository
    mim = osp.join(osp.dirname(sys.executable), 'mim')
    proc = subprocess.run([mim, 'search', 'endommlab'], cwd=tempfile.gettempdir(),
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-4000:]
    listed = set(re.findall(r'^config id: (\S+)$', proc.stdout, flags=re.M))
    names = {m['Name'] for _, m in _models()}
    assert names <= listed, f'mim search does not list: {sorted(names - listed)}'
    # measured metrics come through as <dataset>/<metric> fields
    assert re.search(r'^kvasir-seg/dice\s+0\.738$', proc.stdout, flags=re.M), proc.stdout[:2000]


def test_setup_installs_the_model_index():
    with open(osp.join(REPO, 'setup.py'), encoding='utf-8') as f:
        assert "'model-index.yml'" in f.read(), 'setup.py MIM_FILES should carry the model index'
    with open(osp.join(REPO, 'MANIFEST.in'), encoding='utf-8') as f:
        manifest = f.read()
    # a regular install copies configs/ (with the metafiles) and model-index.yml into .mim/
    assert 'include endommlab/.mim/model-index.yml' in manifest
    assert re.search(r'recursive-include endommlab/\.mim/configs .*\*\.yml', manifest)
