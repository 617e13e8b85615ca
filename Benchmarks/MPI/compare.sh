#!/usr/bin/env bash
# All-reduce bandwidth, SwiftTorchDistributed against plain MPI, on the same sizes and ranks.
# Builds Benchmarks/MPI/allreduce_bandwidth.c with mpicc and the release distributed-bench,
# runs both under mpirun ROUNDS times in turn, and prints one markdown table: the plain MPI
# program's rate, then distributed-bench's (MPI alone, allReduce, a DDP gradient bucket in
# each gradient layout, timed call by call in one process, see its header) with ratios to
# the in-process MPI rate (same process, same moment) and, for the bucket, to the plain
# program's rate (the issue's baseline). Each figure is the best of its runs.
#   Benchmarks/MPI/compare.sh [ranks, default 2] [rounds, default 3]
set -euo pipefail
cd "$(dirname "$0")/../.."
ranks=${1:-2}
rounds=${2:-3}
mkdir -p .build
mpicc -O2 -o .build/allreduce_bandwidth Benchmarks/MPI/allreduce_bandwidth.c
swift build -c release --product distributed-bench >&2
results=$(mktemp)
for _ in $(seq "$rounds"); do
    scripts/mpirun-local.sh "$ranks" .build/allreduce_bandwidth | awk '!/^#/ { print "program", $1, $3 }' >>"$results"
    scripts/mpirun-local.sh "$ranks" .build/release/distributed-bench | awk '!/^#/ { print "bench", $1, $3, $5, $7, $9 }' >>"$results"
done
python3 - "$results" <<'PY'
import sys, collections
best = collections.defaultdict(lambda: [0.0] * 5)
for line in open(sys.argv[1]):
    kind, size, *rates = line.split()
    row, rates = best[int(size)], [float(r) for r in rates]
    if kind == "program": row[0] = max(row[0], rates[0])
    else: row[1:] = [max(a, b) for a, b in zip(row[1:], rates)]
print("| bytes | MPI program MB/s | MPI in process MB/s | allReduce MB/s | ÷ in process | DDP bucket MB/s | ÷ in process | ÷ program | copy layout MB/s | ÷ in process | ÷ program |")
print("|---|---|---|---|---|---|---|---|---|---|---|")
for size in sorted(best):
    program, mpi, reduce, bucket, copy = best[size]
    print(f"| {size} | {program:.0f} | {mpi:.0f} | {reduce:.0f} | {reduce / mpi:.2f} | {bucket:.0f} | {bucket / mpi:.2f} | {bucket / program:.2f} "
          f"| {copy:.0f} | {copy / mpi:.2f} | {copy / program:.2f} |")
PY
rm -f "$results"
