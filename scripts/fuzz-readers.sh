#!/usr/bin/env bash
# Fuzzes SwiftTorch's file readers with libFuzzer (coverage-guided, under AddressSanitizer):
# safetensors, idx (MNIST), gzip, digits (CSV), conformance (case JSON) and pt (PyTorch's .pt). Optional: CI runs
# the deterministic in-test fuzzer (Tests/SwiftTorchTests/ReaderFuzzTests.swift) instead.
#
#   scripts/fuzz-readers.sh                      # every reader, 60 s each
#   scripts/fuzz-readers.sh all 30               # every reader, 30 s each
#   scripts/fuzz-readers.sh safetensors 600      # one reader, 10 minutes
#
# Builds Tests/Fuzz (a package that uses SwiftTorch's public API) with -sanitize=fuzzer,address
# into .build/fuzz; corpora and findings (crash-*, with the input that caused them) are kept
# in .build/fuzz/corpus/<reader> and .build/fuzz/findings/<reader>. Exits non-zero on a finding.
set -euo pipefail
cd "$(dirname "$0")/.."
readers=(safetensors idx gzip digits conformance pt)
if [ $# -ge 1 ] && [ "$1" != all ]; then readers=("$1"); fi
seconds="${2:-60}"
work=.build/fuzz

echo "== build (first time: several minutes)"
swift build --package-path Tests/Fuzz --scratch-path "$work/build" -Xswiftc -sanitize=fuzzer,address
fuzzer="$work/build/debug/ReaderFuzzer"

# Seeds: small valid files of each kind.
seed() {
    local reader=$1 corpus="$work/corpus/$1"
    mkdir -p "$corpus"
    case "$reader" in
    safetensors) cp Tests/SwiftTorchTests/Resources/cnn.safetensors Tests/SwiftTorchTests/Resources/mlp.safetensors "$corpus/" ;;
    idx) printf '\x00\x00\x08\x03\x00\x00\x00\x02\x00\x00\x00\x01\x00\x00\x00\x02\x01\x02\x03\x04' > "$corpus/images"
         gzip -c "$corpus/images" > "$corpus/images.gz" ;;
    gzip) gzip -c README.md > "$corpus/readme.gz" ;;
    digits) # head closes the pipe early; gzip's SIGPIPE is expected.
            gzip -dc Sources/SwiftTorch/Resources/digits.csv.gz | head -n 5 > "$corpus/digits.csv" || true
            gzip -c "$corpus/digits.csv" > "$corpus/digits.csv.gz" ;;
    conformance) cp Tests/Fuzz/Seeds/conformance/cases.json "$corpus/" ;;
    pt) cp Tests/SwiftTorchTests/Resources/interop/*.pt Tests/SwiftTorchTests/Resources/pt-extra/*.pt "$corpus/" ;;
    esac
}

status=0
for reader in "${readers[@]}"; do
    seed "$reader"
    findings="$work/findings/$reader"
    mkdir -p "$findings"
    echo "== $reader: ${seconds} s"
    if ! FUZZ_TARGET="$reader" ASAN_OPTIONS=detect_leaks=0 "$fuzzer" "$work/corpus/$reader" \
        -max_total_time="$seconds" -max_len=65536 -artifact_prefix="$findings/" -print_final_stats=1; then
        echo "FINDING in $reader: see $findings"
        status=1
    fi
done
exit $status
