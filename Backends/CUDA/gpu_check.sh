#!/bin/sh
# The GPU verification recorded in Docs/cuda.md, run on a machine with an NVIDIA GPU and
# PyTorch but no Swift toolchain: the static swifttorch binary and the plugin are copied
# into one folder beforehand (see Docs/cuda.md).
#
# Usage: Backends/CUDA/gpu_check.sh <folder with swifttorch and libswifttorch_cuda.so> [log folder]
set -u
bin=$(cd "$1" && pwd)
logs=${2:-.}
mkdir -p "$logs"
export SWIFTTORCH_PLUGIN_PATH="$bin"
# The binary links the system's OpenBLAS and libomp dynamically; copies may sit next to it.
st() { LD_LIBRARY_PATH="$bin${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" "$bin/swifttorch" "$@"; }
python=python3
command -v python3 >/dev/null 2>&1 || python=/opt/torch/.venv/bin/python3
section() { printf '\n== %s\n' "$*"; }

section "date and GPU"
date -u
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>&1
ldd "$bin/swifttorch" | grep -i swift || echo "swifttorch needs no Swift runtime library"

section "swifttorch info"
st info

section "conformance on cuda (forward and gradients)"
start=$(date +%s)
SWIFTTORCH_CUDA_STATS=1 st conformance Tests/SwiftTorchTests/Resources/pytorch-cases.json \
    --backend cuda > "$logs/conformance-cuda.txt" 2>&1
echo "exit status $?, $(( $(date +%s) - start )) s (first run includes NVRTC compiling the kernels)"
grep -E "FAIL|fail|passed|allocator" "$logs/conformance-cuda.txt" | head -60

section "errors are reported, not crashes"
SWIFTTORCH_LIBCUDA=/nonexistent/libcuda.so.1 SWIFTTORCH_BACKEND=cuda st info > "$logs/no-driver.txt" 2>&1
echo "exit status $?"
tail -2 "$logs/no-driver.txt"
SWIFTTORCH_LIBCUDA=/nonexistent/libcuda.so.1 SWIFTTORCH_BACKEND=cuda,openmp st info 2>&1 | tail -2

section "an operator without a CUDA kernel (log_softmax left out with SWIFTTORCH_CUDA_DISABLE)"
SWIFTTORCH_CUDA_DISABLE=log_softmax st conformance Tests/SwiftTorchTests/Resources/pytorch-cases.json \
    --backend cuda --filter log_softmax 2>&1 | grep -E "FAIL|passed" | head -3 | cut -c1-400
SWIFTTORCH_CUDA_DISABLE=log_softmax SWIFTTORCH_CUDA_FALLBACK=cpu SWIFTTORCH_TRACE=1 st conformance \
    Tests/SwiftTorchTests/Resources/pytorch-cases.json --backend cuda --filter log_softmax > "$logs/fallback.txt" 2>&1
echo "exit status $?; fallback trace lines: $(grep -c 'fallback log_softmax' "$logs/fallback.txt")"
grep -E "has no kernel|passed" "$logs/fallback.txt" | head -4
SWIFTTORCH_CUDA_DISABLE=log_softmax SWIFTTORCH_CUDA_FALLBACK=cpu st info 2>&1 | grep "CPU fallback"

if [ -x "$bin/digits-mlp" ]; then
    section "digits-mlp: CPU, then SWIFTTORCH_BACKEND=cuda"
    (cd "$bin" && LD_LIBRARY_PATH="$bin" ./digits-mlp 2>&1 | tail -2)
    (cd "$bin" && LD_LIBRARY_PATH="$bin" SWIFTTORCH_BACKEND=cuda SWIFTTORCH_CUDA_STATS=1 ./digits-mlp 2>&1 | grep -Ev "^[0-9] |^Current stack|^epoch" | tail -4)
fi

section "swifttorch bench --backend cuda"
st bench --backend cuda 2>&1 | head -3

section "the plugin's kernels through the C ABI (tools/cuda_bench.c, no Swift dispatcher)"
if [ -x "$bin/cuda_bench" ]; then SWIFTTORCH_CUDA_STATS=1 "$bin/cuda_bench" "$bin/libswifttorch_cuda.so" 2>&1; fi

section "PyTorch, same GPU"
"$python" Backends/CUDA/bench_pytorch.py 2>&1
