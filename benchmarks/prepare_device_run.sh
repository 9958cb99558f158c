#!/usr/bin/env bash
# Lay out, on the development machine, what benchmarks/device_checks.sh needs on a GPU machine:
# skorch's wheel in .whl/ (the GPU image has torch, scikit-learn and tqdm but not skorch) and
# MNIST in .devdata/. Both folders are ignored by git and travel with the call's `carry`.
# Usage: bash benchmarks/prepare_device_run.sh [DATA_HOME]   (default ../shared/data)
set -euo pipefail
cd "$(dirname "$0")/.."
DATA_HOME=${1:-../shared/data}
PYTHON=${PYTHON:-.venv/bin/python}
SKORCH_VERSION=$("$PYTHON" -c "import skorch; print(skorch.__version__)")
mkdir -p .whl .devdata
cp "$DATA_HOME/mnist.npz" .devdata/
"$PYTHON" -m pip download -q --no-deps --only-binary=:all: -d .whl "skorch==$SKORCH_VERSION"
ls -l .whl .devdata
