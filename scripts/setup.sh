#!/usr/bin/env bash
# Installs the system packages SwiftTorch builds against, if they are missing:
# OpenBLAS (the blas backend), LLVM's OpenMP runtime (the openmp backend), zlib (gzip data),
# Open MPI (SwiftTorchDistributed: the library, `mpirun` and `mpicc`).
set -euo pipefail

packages=(libopenblas-dev libomp-dev zlib1g-dev pkg-config libopenmpi-dev openmpi-bin)
missing=()
for p in "${packages[@]}"; do
    dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "SwiftTorch: installing ${missing[*]}" >&2
    sudo_cmd=()
    [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
    "${sudo_cmd[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
fi
command -v swift >/dev/null || { echo "SwiftTorch needs a Swift 6.2+ toolchain on PATH" >&2; exit 1; }

# What only the tests use (the pretrained model, Python's tensorboard); the main job
# (scripts/train-digits.sh) asks for the system packages alone.
if [ "${1:-}" = "--system-only" ]; then
    exit 0
fi

# The pretrained all-MiniLM-L6-v2 model the text tests and the semantic-search example use
# (downloaded once into .cache/models/, never committed).
"$(dirname "$0")/fetch-minilm.sh" >/dev/null
# Python's tensorboard package: TensorBoardTests checks SummaryWriter's files with TensorBoard's
# own EventAccumulator when it is installed (and says it did not run otherwise). Best effort,
# so a machine without pip or PyPI still builds and tests.
if command -v python3 >/dev/null && ! python3 -c "import tensorboard" 2>/dev/null; then
    python3 -m pip install -q tensorboard >/dev/null 2>&1 ||
        echo "SwiftTorch: could not install Python's tensorboard; its check in TensorBoardTests will not run" >&2
fi
