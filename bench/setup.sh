#!/usr/bin/env bash
# Create bench/.venv-peers: the peers (PyTorch 2.13 CPU, Keras 3 with its torch and JAX
# backends, scikit-learn) plus gradwise itself, installed editable from this checkout.
#
#   bench/setup.sh            # or: make bench-setup
#   PYTHON=python3.11 bench/setup.sh
#
# PyTorch is installed first and pinned to its CPU build, so that nothing installed
# afterwards can pull the CUDA wheels (several GB) in as a dependency.
set -euo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_DIR="$(dirname "$BENCH_DIR")"
VENV="${BENCH_VENV:-$BENCH_DIR/.venv-peers}"
PYTHON="${PYTHON:-python3}"

TORCH_VERSION="2.13.0"
KERAS_SPEC="keras>=3.10,<4"
JAX_SPEC="jax>=0.6"

if [ ! -x "$VENV/bin/python" ]; then
    echo "creating $VENV with $($PYTHON --version)"
    "$PYTHON" -m venv "$VENV"
fi
PIP=("$VENV/bin/python" -m pip install --quiet)

# The CPU build: a '+cpu' wheel where the index offers one (the PyTorch CPU index or a
# local wheelhouse), else the plain version from an index that has no CUDA variant.
echo "installing torch==$TORCH_VERSION (CPU)"
if ! "${PIP[@]}" "torch==${TORCH_VERSION}+cpu" 2>/dev/null; then
    "${PIP[@]}" "torch==${TORCH_VERSION}" --extra-index-url https://download.pytorch.org/whl/cpu
fi
if "$VENV/bin/python" -m pip list 2>/dev/null | grep -qi '^nvidia-'; then
    echo "error: CUDA packages (nvidia-*) were installed; remove $VENV and install torch's CPU build" >&2
    exit 1
fi

echo "installing keras, jax (CPU), scikit-learn, numpy, py-spy"
# The constraint keeps pip from replacing the CPU torch while resolving the rest.
CONSTRAINTS="$(mktemp)"
trap 'rm -f "$CONSTRAINTS"' EXIT
"$VENV/bin/python" -m pip freeze | grep -i '^torch==' > "$CONSTRAINTS"
"${PIP[@]}" -c "$CONSTRAINTS" "$KERAS_SPEC" "$JAX_SPEC" scikit-learn numpy py-spy

echo "installing gradwise (editable, with its numba kernels) from $REPO_DIR"
"${PIP[@]}" -c "$CONSTRAINTS" -e "$REPO_DIR[fast]"

"$VENV/bin/python" - <<'PY'
import importlib.metadata as md
for name in ("gradwise", "numpy", "torch", "keras", "jax", "jaxlib", "scikit-learn"):
    print(f"  {name:14s} {md.version(name)}")
PY
echo "peers ready in $VENV"
