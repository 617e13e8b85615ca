#!/usr/bin/env bash
# The distributed checks that need several processes (Tests/Distributed/Checks), run through
# mpirun on loopback, with what each must print and how each must end:
# - collectives with 2 and 3 ranks against locally computed values;
# - equivalence (2 ranks): DDP == one process, bucketed == per-parameter all-reduce;
# - the digits example, one epoch on 2 ranks;
# - failure (3 ranks): rank 1 dies, throws or hangs; the job must end with an error naming
#   the cause, never hang (each run is cut off by `timeout` as a guard against a hang).
#   usage: Tests/Distributed/run.sh [build folder, default .build/debug]
set -uo pipefail
cd "$(dirname "$0")/../.."
build="${1:-.build/debug}"
checks="$build/distributed-checks"
run=scripts/mpirun-local.sh
failures=0

fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }

# expect_success RANKS MODE PATTERN: every rank prints PATTERN and the job exits 0.
expect_success() {
    local output
    output=$(timeout 300 "$run" "$1" "$checks" "$2" 2>&1)
    local status=$?
    local lines
    lines=$(grep -c "$3" <<<"$output")
    if [ $status -ne 0 ] || [ "$lines" -ne "$1" ]; then
        fail "$2 with $1 ranks (exit $status, $lines of $1 ranks passed):"$'\n'"$output"
    else
        grep "$3" <<<"$output" | head -n 1
    fi
}

# expect_failure MODE PATTERN: the job ends with an error, within the guard, and its output
# contains PATTERN (the cause, in the failing rank's or mpirun's words).
expect_failure() {
    local output
    output=$(SWIFTTORCH_DIST_TIMEOUT=5 timeout 120 "$run" 3 "$checks" "$1" 2>&1)
    local status=$?
    if [ $status -eq 0 ] || [ $status -eq 124 ] || ! grep -q "$2" <<<"$output"; then
        fail "$1: expected an error mentioning '$2' (exit $status; 124 means it hung):"$'\n'"$output"
    else
        echo "$1: the job failed with exit $status: $(grep -m 1 "$2" <<<"$output" | sed 's/^ *//')"
    fi
}

expect_success 2 collectives "checks passed on rank"
expect_success 3 collectives "checks passed on rank"
expect_success 2 equivalence "^equivalence on rank"
# The example, one epoch on 2 ranks: it must train and report its accuracy. It also writes
# its buckets' timeline (SWIFTTORCH_DDP_TIMELINE), which must hold complete, ordered passes.
timeline=$(mktemp -d)
output=$(SWIFTTORCH_DDP_TIMELINE="$timeline" timeout 300 "$run" 2 -x SWIFTTORCH_DDP_TIMELINE "$build/digits-distributed" --epochs 1 2>&1)
if [ $? -ne 0 ] || ! grep -q "test accuracy" <<<"$output"; then
    fail "digits-distributed --epochs 1 on 2 ranks:"$'\n'"$output"
else
    echo "digits-distributed, 1 epoch on 2 ranks: $(grep "test accuracy" <<<"$output")"
    python3 Benchmarks/MPI/bucket_timeline.py --check "$timeline" || fail "the bucket timeline of digits-distributed"
fi
rm -rf "$timeline"
expect_failure fail-die "process rank 1 .* exited on signal 9"
expect_failure fail-throw "rank 1 fails on purpose"
expect_failure fail-hang "no answer from the other ranks after 5 s"

[ $failures -eq 0 ] || { echo "distributed checks: $failures failed" >&2; exit 1; }
echo "distributed checks: all passed"
