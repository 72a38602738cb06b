#!/usr/bin/env bash
# Set up EndoMMLab on a fresh machine (only PyPI needed): a virtual environment in .venv with
# torch 2.14.1 + torchvision 0.29.1, mmcv 2.1.0 with its compiled ops, the OpenMMLab stack,
# onnx + onnxruntime (requirements/deploy.txt) and EndoMMLab itself (editable). Safe to run
# again: finished steps are skipped.
#
#   bash tools/setup_env.sh            # then: .venv/bin/python tools/train.py CONFIG
#
# mmcv 2.1.0 has no wheel for torch 2.14, so it is built from the PyPI sdist (~25 min on
# 2 cores) unless a wheel is found in $ENDOMMLAB_WHEELS (default ~/.cache/endommlab/wheels,
# where the build is kept) or ../shared/wheels. The build needs a setuptools that still ships
# pkg_resources (mmcv's setup.py imports it; requirements/runtime.txt pins one that torch
# accepts too), no build isolation (it compiles against the installed
# torch) and C++20: mmcv's setup.py hard-codes -std=c++17, which torch 2.14's headers reject,
# so a compiler wrapper rewrites the flag.
set -euo pipefail
cd "$(dirname "$0")/.."
export NO_ALBUMENTATIONS_UPDATE=1
PYTHON=${PYTHON:-python3}
VENV=${VENV:-.venv}
WHEELS=${ENDOMMLAB_WHEELS:-$HOME/.cache/endommlab/wheels}

[ -x "$VENV/bin/python" ] || "$PYTHON" -m venv "$VENV"
PY="$VENV/bin/python"
pip_install() { "$PY" -m pip install --disable-pip-version-check -q "$@"; }

if ! "$PY" -c "import torch, torchvision; assert torch.__version__.split('+')[0] == '2.14.1'" 2>/dev/null; then
    echo "[setup] torch 2.14.1 + torchvision 0.29.1"
    pip_install -r requirements/torch.txt
fi

if ! "$PY" -c "import mmcv, mmcv.ops" 2>/dev/null; then
    mkdir -p "$WHEELS"
    links=(--find-links "$WHEELS")
    [ -d ../shared/wheels ] && links+=(--find-links ../shared/wheels)
    if ! pip_install --only-binary mmcv "${links[@]}" mmcv==2.1.0 2>/dev/null; then
        echo "[setup] building mmcv 2.1.0 with ops from source (about 25 minutes on 2 cores)"
        pip_install "$(grep '^setuptools' requirements/runtime.txt)" wheel ninja
        wrapper_dir=$(mktemp -d)
        cat > "$wrapper_dir/cxx20" <<'WRAP'
#!/usr/bin/env bash
args=()
for a in "$@"; do [ "$a" = "-std=c++17" ] && a="-std=c++20"; args+=("$a"); done
exec "${REAL_CXX:-g++}" "${args[@]}"
WRAP
        chmod +x "$wrapper_dir/cxx20"
        CXX="$wrapper_dir/cxx20" MMCV_WITH_OPS=1 FORCE_CUDA=0 MAX_JOBS=${MAX_JOBS:-2} \
            "$PY" -m pip wheel --disable-pip-version-check --no-build-isolation --no-deps \
            -w "$WHEELS" mmcv==2.1.0
        pip_install --only-binary mmcv --find-links "$WHEELS" mmcv==2.1.0
    fi
fi
"$PY" -c "import mmcv.ops; print('[setup] mmcv', mmcv.__version__, 'with ops')"

echo "[setup] OpenMMLab stack, ONNX export/Runtime and test tools"
pip_install -r requirements/runtime.txt -r requirements/deploy.txt -r requirements/tests.txt wheel  # wheel: for the editable build
pip_install --no-deps -r requirements/no_deps.txt  # over-pinned metadata, see the file
# setup.py develop (an egg-link to this folder), where mim looks for endommlab/.mim
pip_install --no-deps --no-build-isolation --no-use-pep517 -e .
"$PY" -c "import endommlab, mmdet, mmseg, mmpretrain; print('[setup] endommlab', endommlab.__version__, 'ready')"
