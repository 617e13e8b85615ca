#!/bin/sh
# Builds the CUDA backend plugin, libswifttorch_cuda.so, with the system C compiler. No CUDA
# toolkit is needed: the driver, NVRTC and cuBLAS are opened at run time, and the kernels'
# source is embedded as a string that NVRTC compiles on the GPU machine.
#
# Usage: Backends/CUDA/build.sh [output-folder]    (default: .build/release, where
#        `swift build -c release` puts swifttorch, so that it finds the plugin next to it)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
out=${1:-$root/.build/release}
cc=${CC:-cc}
mkdir -p "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The device source: the shared parameter structs, then the kernels, as one C string.
cat "$here/src/kernel_params.h" "$here/kernels/common.cuh" "$here/kernels/elementwise.cu" \
    "$here/kernels/reduce.cu" "$here/kernels/loss.cu" "$here/kernels/index.cu" > "$work/kernels.cu"
{
    echo "const char stc_kernel_source[] ="
    sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/"/' -e 's/$/\\n"/' "$work/kernels.cu"
    echo ";"
} > "$work/kernel_source.c"
# The embedded string must be the source, byte for byte.
printf '#include <stdio.h>\nextern const char stc_kernel_source[];\nint main(void) { fputs(stc_kernel_source, stdout); return 0; }\n' > "$work/dump.c"
"$cc" -o "$work/dump" "$work/dump.c" "$work/kernel_source.c"
"$work/dump" | cmp -s - "$work/kernels.cu" || { echo "build.sh: embedding the kernel source altered it" >&2; exit 1; }

# Catch typos in the device source here rather than at NVRTC time on a GPU.
if command -v "${CXX:-c++}" >/dev/null 2>&1; then
    "${CXX:-c++}" -fsyntax-only -x c++ -include "$here/kernels/syntax_check.h" "$work/kernels.cu"
fi

"$cc" -std=gnu11 -O2 -fPIC -shared -fvisibility=hidden -Wall -Wextra -Wno-unused-parameter \
    -I "$root/Sources/CSwiftTorchABI/include" -I "$here/src" \
    "$here"/src/*.c "$work/kernel_source.c" -o "$out/libswifttorch_cuda.so" -ldl -lpthread
echo "$out/libswifttorch_cuda.so"
