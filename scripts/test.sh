#!/usr/bin/env bash
# Runs every test: the unit and equivalence suites, the PyTorch conformance cases on every
# CPU backend through the CLI, the consumer package, the CUDA plugin's build and discovery,
# the documentation (scripts/docs.sh), the distributed checks under mpirun, and then the
# sanitizer runs (scripts/sanitizers.sh; `--no-sanitizers` leaves them out). Installs missing
# system packages first.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh

echo "== build"
scripts/build-products.sh

echo "== conformance (CLI), every CPU backend"
# The shared PyTorch cases (general and sequence) and SwiftTorch's own nn and sequence cases
# (all computed by PyTorch).
cases=(Tests/SwiftTorchTests/Resources/pytorch-cases.json Tests/SwiftTorchTests/Resources/nn-cases.json
       Tests/SwiftTorchTests/Resources/sequence-cases.json Tests/SwiftTorchTests/Resources/sequence-op-cases.json)
.build/debug/swifttorch conformance "${cases[@]}" --backend reference
for backend in openmp blas; do
    # Each backend must pass every case of the operators it claims, with no fall-through.
    SWIFTTORCH_FALLBACK=error .build/debug/swifttorch conformance "${cases[@]}" --backend "$backend"
done

if [ -x Backends/CUDA/build.sh ]; then
    echo "== CUDA plugin: builds without a toolkit, and its absence is reported"
    Backends/CUDA/build.sh .build/debug
    .build/debug/swifttorch info
fi

if [ -x Tests/Consumer/run.sh ]; then
    echo "== consumer package"
    Tests/Consumer/run.sh
fi

echo "== documentation: DocC site, warnings as errors, every public symbol summarised"
scripts/docs.sh

echo "== distributed: collectives, equivalence, failures under mpirun (Tests/Distributed/run.sh)"
Tests/Distributed/run.sh .build/debug

echo "== swift test"
# Swift Testing runs suites in parallel; its last line is the summary CI reads.
swift test --skip-build 2>&1 | tee .build/swift-test.log | grep -vE "^(\[[0-9]+/[0-9]+\]|Test Case .* (started|passed)|.* Test .* started\.)" | tail -n 80

if [ "${1:-}" != "--no-sanitizers" ]; then
    echo "== sanitizers: AddressSanitizer + UBSan, ThreadSanitizer"
    scripts/sanitizers.sh
    # The swift test summary stays the last line, which CI reads.
    tail -n 1 .build/swift-test.log
fi
