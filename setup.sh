#!/usr/bin/env bash
# One-command set-up, run inside the virtual environment you want to use:
#   1. the Python packages of requirement.txt;
#   2. where a CUDA GPU is visible, the three custom CUDA ops, built ahead of time into the
#      torch extensions cache (without a GPU this step says so and the exact PyTorch ops are used).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
PYTHON=${PYTHON:-python}

# pip >= 25.3 honours PIP_BUILD_CONSTRAINT: visdom ships only as a source package whose build
# still needs setuptools' pkg_resources (removed from setuptools 81).
"$PYTHON" -m pip install --quiet --upgrade "pip>=25.3"
PIP_BUILD_CONSTRAINT="$PWD/build-constraints.txt" "$PYTHON" -m pip install -r requirement.txt

"$PYTHON" -m script.build_ops
