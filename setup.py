"""Packaging for EndoMMLab.

A non-editable install copies ``configs/``, ``tools/``, ``model-index.yml`` and the shipped
weights (``model_zoo/``) into
``endommlab/.mim/`` (as MMDetection does) so that ``mim train endommlab ...`` and
``mim search endommlab`` find them; an editable install (``pip install -e .``) links
them instead.
"""
import os
import os.path as osp
import shutil
import sys
from setuptools import find_packages, setup

MIM_FILES = ('configs', 'tools', 'requirements', 'requirements.txt', 'model-index.yml',
             'model_zoo')


def get_version() -> str:
    namespace: dict = {}
    with open(osp.join('endommlab', 'version.py')) as f:
        exec(f.read(), namespace)
    return namespace['__version__']


def parse_requirements(fname: str) -> list:
    """Read a requirements file, following ``-r`` includes."""
    reqs = []
    with open(fname) as f:
        for line in f:
            line = line.split('#')[0].strip()
            if not line:
                continue
            if line.startswith('-r '):
                reqs += parse_requirements(osp.join(osp.dirname(fname), line[3:].strip()))
            else:
                reqs.append(line)
    return reqs


def add_mim_extension() -> None:
    """Copy (install) or link (develop) the MIM files into ``endommlab/.mim``."""
    if 'develop' in sys.argv or any('editable' in a for a in sys.argv):
        mode = 'symlink'
    elif any(a in sys.argv for a in ('sdist', 'bdist_wheel', 'install', 'build', 'build_py')):
        mode = 'copy'
    else:
        return
    repo = osp.dirname(osp.abspath(__file__))
    mim_root = osp.join(repo, 'endommlab', '.mim')
    os.makedirs(mim_root, exist_ok=True)
    for name in MIM_FILES:
        src, dst = osp.join(repo, name), osp.join(mim_root, name)
        if not osp.exists(src):
            continue
        if osp.islink(dst) or osp.isfile(dst):
            os.remove(dst)
        elif osp.isdir(dst):
            shutil.rmtree(dst)
        if mode == 'symlink':
            os.symlink(osp.relpath(src, mim_root), dst)
        elif osp.isdir(src):
            shutil.copytree(src, dst, ignore=shutil.ignore_patterns('__pycache__', '*.pyc'))
        else:
            shutil.copyfile(src, dst)


if __name__ == '__main__':
    add_mim_extension()
    setup(
        name='endommlab',
        version=get_version(),
        description='OpenMMLab components for gastrointestinal endoscopy: '
        'polyp segmentation/detection and disease classification',
        long_description=open('README.md', encoding='utf-8').read(),
        long_description_content_type='text/markdown',
        license='Apache-2.0',
        python_requires='>=3.9',
        packages=find_packages(exclude=('configs', 'tools', 'tests', 'work_dirs', 'data')),
        include_package_data=True,
        install_requires=parse_requirements('requirements/runtime.txt'),
        extras_require={'tests': parse_requirements('requirements/tests.txt'),
                        'deploy': parse_requirements('requirements/deploy.txt')},
        zip_safe=False,
    )
