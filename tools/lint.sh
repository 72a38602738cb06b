#!/usr/bin/env bash
# Lint as in the OpenMMLab repositories: flake8 and isort with the settings in setup.cfg.
#
#   bash tools/lint.sh                    # PYTHON=/path/to/python to use another interpreter
#
# Fix import order with `.venv/bin/python -m isort .` (setup.cfg's skip list keeps .venv out;
# don't pass --skip on the command line, it replaces that list).
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${PYTHON:-.venv/bin/python}"
"$PY" -m flake8 .
"$PY" -m isort --check-only --diff .
echo "lint: ok"
