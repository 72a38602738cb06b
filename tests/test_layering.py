"""Imports inside the package run downward only (docs/development.md, "Layout of the code").

Every ``endommlab/**/*.py`` is parsed with :mod:`ast`; each import of ``endommlab.<sub>``
(absolute or relative, at module level or inside a function) is mapped to its subpackage
and checked against :data:`LAYERS`: a module may import its own subpackage and any subpackage
of a lower layer, never one of its own layer or a higher one.
"""
import ast
import os
import os.path as osp
from typing import Iterator, List, Tuple

from conftest import REPO

PACKAGE = osp.join(REPO, 'endommlab')

#: Top to bottom; the subpackages of one layer do not import each other.
LAYERS = (
    ('benchmark', ),  # speed, memory and generalisation tables of whole models
    ('apis', ),  # config -> Runner, inference with every backend (the user API)
    ('deployment', 'engine'),  # exported backends; training hooks
    ('evaluation', ),  # metrics and their functional scores
    ('datasets', 'models', 'visualization'),
    ('structures', 'utils'),  # inference inputs/results; checkpoints, curves
    ('errors', 'version'),
)
RANK = {sub: rank for rank, layer in enumerate(LAYERS) for sub in layer}


def module_files(package_dir: str = PACKAGE) -> Iterator[str]:
    for root, dirs, files in os.walk(package_dir):
        dirs[:] = sorted(d for d in dirs if not d.startswith(('.', '__')))
        yield from (osp.join(root, f) for f in sorted(files) if f.endswith('.py'))


def subpackage(path: str, package_dir: str = PACKAGE) -> str:
    """``apis`` for ``endommlab/apis/inference.py``, ``errors`` for ``endommlab/errors.py``."""
    first = osp.relpath(path, package_dir).split(os.sep)[0]
    return osp.splitext(first)[0]


def imported_subpackages(path: str, package_dir: str = PACKAGE) -> List[Tuple[int, str]]:
    """``(line, subpackage)`` of every ``endommlab.<sub>`` import of the file, by line."""
    parts = ['endommlab'] + osp.splitext(osp.relpath(path, package_dir))[0].split(os.sep)
    package = parts[:-1]  # of a module and of an __init__.py alike
    with open(path) as f:
        tree = ast.parse(f.read(), path)
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets = [alias.name.split('.') for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = package[:len(package) - node.level + 1] if node.level else []
            base = base + (node.module.split('.') if node.module else [])
            targets = [base + [alias.name] for alias in node.names]
        else:
            continue
        out += [(node.lineno, t[1]) for t in targets
                if t[0] == 'endommlab' and len(t) > 1 and t[1] != '*']
    return sorted(set(out))


def test_every_subpackage_has_a_layer():
    found = {subpackage(p) for p in module_files()} - {'__init__'}
    assert found == set(RANK), f'place new subpackages in LAYERS: {sorted(found ^ set(RANK))}'


def test_imports_run_downward():
    upward = []
    for path in module_files():
        sub = subpackage(path)
        if sub == '__init__':
            continue  # the package root imports the subpackages to register them
        for line, target in imported_subpackages(path):
            if target != sub and RANK[target] <= RANK[sub]:
                upward.append(f'{osp.relpath(path, REPO)}:{line}: {sub} imports {target}')
    assert not upward, '\n'.join(upward)


def test_the_checker_sees_relative_and_function_level_imports(tmp_path):
    """A file of ``endommlab/models/x/`` importing ``apis`` three ways is caught three times."""
    source = ('from ...apis import init_model\n'
              'from ... import apis\n'
              'def f():\n'
              '    import endommlab.apis.inference\n'
              'from . import sibling\n'
              'from endommlab.errors import ConfigError\n')
    fake = tmp_path / 'endommlab' / 'models' / 'x' / 'y.py'
    fake.parent.mkdir(parents=True)
    fake.write_text(source)
    assert imported_subpackages(str(fake), str(tmp_path / 'endommlab')) == [
        (1, 'apis'), (2, 'apis'), (4, 'apis'), (5, 'models'), (6, 'errors')]
