#!/usr/bin/env bash
# Sanitizer runs, called by scripts/test.sh after the normal tests (Docs/testing.md explains
# each choice):
#   1. AddressSanitizer + UBSan (the Swift code and the OpenMP C kernels): the conformance
#      files on every CPU backend, a fuzz batch of 10 seeds x 1,500 calls per CPU backend,
#      and the kernel-regression, fuzz, fused-cell (LSTM, GRU, RNN) and whole-LSTM-layer suites.
#   2. ThreadSanitizer: the suites that call the allocator, the registry, the kernel-choice
#      cache and the trace summary from many threads at once (with tsan-suppressions.txt).
# Each build has its own scratch path; the normal .build is left as it is.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { echo "== sanitizers: $1"; }

# Runs a command with its output in `log`; prints its last line (the summary) and the time
# taken, or, when it fails, what failed and the sanitizer reports, then stops the script.
run_logged() {
    local log=$1
    shift
    local start=$SECONDS
    if "$@" >"$log" 2>&1; then
        echo "   $(tail -n 1 "$log") ($((SECONDS - start)) s)"
    else
        grep -a -E -A 12 "✘|^FAIL|^HANG|ERROR: AddressSanitizer|WARNING: ThreadSanitizer|runtime error:|Fatal error" "$log" | head -n 150
        tail -n 20 "$log"
        echo "sanitizers: failed: $*; full log: $log" >&2
        exit 1
    fi
}

# detect_leaks=0: the report is about memory errors; caches live until exit by design.
# allocator_may_return_null=1: a request too large to meet returns NULL, which SwiftTorch
# turns into its outOfMemory error as it does with the system allocator, instead of ASan
# aborting the process.
export ASAN_OPTIONS=detect_leaks=0:allocator_may_return_null=1
export UBSAN_OPTIONS=print_stacktrace=1
# The caching allocator rounds blocks up and reuses them; the system mode mallocs every
# block at its exact size and frees it at once, so ASan sees each overflow and each use
# after free.
export SWIFTTORCH_ALLOCATOR=system
# The Swift runtime's crash backtracer reads the crashed process's stack in a way that ASan
# reports as a second error, burying the first; the sanitizers print their own traces.
export SWIFT_BACKTRACE=enable=no

# UBSan reaches the C kernels through -Xcc: swiftc refuses --sanitize=undefined on Linux,
# and Swift code traps on overflow by itself. -fno-sanitize-recover makes any UB fatal.
asan=(--sanitize=address --scratch-path .build-asan -Xcc -fsanitize=undefined -Xcc -fno-sanitize-recover=undefined)

step "AddressSanitizer + UBSan build"
mkdir -p .build-asan
# The test bundle and the CLI only, product by product (scripts/build-products.sh says why).
run_logged .build-asan/sanitizer-build.log swift build "${asan[@]}" --product SwiftTorchPackageTests
run_logged .build-asan/sanitizer-build-cli.log swift build "${asan[@]}" --product swifttorch

# SwiftPM passes the sanitizer flags to C targets too; check that the kernels carry the
# instrumentation, so that a change to the manifest cannot silently drop it.
kernel=.build-asan/debug/COpenMPKernels.build/reduce_int.c.o
symbols=$(nm "$kernel")  # not piped into grep -q, whose early exit would fail the pipe
for symbol in __asan_report_ __ubsan_handle_; do
    if ! grep -q "$symbol" <<<"$symbols"; then
        echo "sanitizers: $kernel has no $symbol calls: the OpenMP C kernels are not instrumented" >&2
        exit 1
    fi
done

cli=.build-asan/debug/swifttorch
cases=(Tests/SwiftTorchTests/Resources/pytorch-cases.json Tests/SwiftTorchTests/Resources/nn-cases.json
       Tests/SwiftTorchTests/Resources/sequence-cases.json Tests/SwiftTorchTests/Resources/sequence-op-cases.json)
step "ASan: conformance files, every CPU backend"
run_logged .build-asan/conformance-reference.log "$cli" conformance "${cases[@]}" --backend reference
for backend in openmp blas; do
    run_logged ".build-asan/conformance-$backend.log" env SWIFTTORCH_FALLBACK=error "$cli" conformance "${cases[@]}" --backend "$backend"
done

step "ASan: fuzz batch, 10 seeds x 1,500 calls per CPU backend"
run_logged .build-asan/fuzz.log "$cli" fuzz --seed 1 --seeds 10 --count 1500

step "ASan: kernel regressions and the in-test fuzz budget"
run_logged .build-asan/sanitizer-tests.log swift test --skip-build "${asan[@]}" --filter 'KernelMemoryTests|OperatorFuzzTests|FusedCellTests|FusedLstmLayerTests'

# One OpenMP thread: libomp is not built for TSan, so the barriers of every parallel region
# are invisible to it and it reports races that cannot happen. What these suites test is
# Swift-level concurrency (tasks and threads calling the runtime at once), which runs on the
# calling threads either way; with one OpenMP thread TSan sees every synchronisation there.
# The caching allocator is on here (SWIFTTORCH_ALLOCATOR unset): its shared lists are part of
# what runs concurrently. TSan cannot see Swift's Mutex on Linux; scripts/tsan-suppressions.txt
# says why and suppresses exactly the bodies passed to Mutex.withLock.
export TSAN_OPTIONS="suppressions=$PWD/scripts/tsan-suppressions.txt"
tsan=(--sanitize=thread --scratch-path .build-tsan)
step "ThreadSanitizer build"
mkdir -p .build-tsan
run_logged .build-tsan/sanitizer-build.log swift build "${tsan[@]}" --product SwiftTorchPackageTests
run_logged .build-tsan/sanitizer-build-cli.log swift build "${tsan[@]}" --product swifttorch

step "TSan: concurrency suites (OMP_NUM_THREADS=1)"
run_logged .build-tsan/sanitizer-tests.log env -u SWIFTTORCH_ALLOCATOR OMP_NUM_THREADS=1 swift test --skip-build "${tsan[@]}" \
    --filter 'CachingAllocatorTests|KernelChoiceTests|RegistryConcurrencyTests|TraceSummaryTests'
