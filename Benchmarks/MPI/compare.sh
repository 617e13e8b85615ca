#!/usr/bin/env bash
# All-reduce bandwidth, SwiftTorchDistributed against plain MPI, on the same sizes and ranks:
# builds Benchmarks/MPI/allreduce_bandwidth.c with mpicc and the release distributed-bench,
# runs them in turn ROUNDS times under mpirun (the machine is shared: each figure is the
# best of its runs), and prints one markdown table with the ratios.
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
    scripts/mpirun-local.sh "$ranks" .build/allreduce_bandwidth | awk '!/^#/ { print "plain", $1, $3 }' >>"$results"
    scripts/mpirun-local.sh "$ranks" .build/release/distributed-bench | awk '!/^#/ { print "ours", $1, $3, $5 }' >>"$results"
done
python3 - "$results" <<'PY'
import sys, collections
best = collections.defaultdict(lambda: [0.0, 0.0, 0.0])
for line in open(sys.argv[1]):
    kind, size, *rates = line.split()
    row = best[int(size)]
    if kind == "plain": row[0] = max(row[0], float(rates[0]))
    else: row[1], row[2] = max(row[1], float(rates[0])), max(row[2], float(rates[1]))
print("| bytes | plain MPI MB/s | allReduce MB/s | ÷ plain | DDP bucket MB/s | ÷ plain |")
print("|---|---|---|---|---|---|")
for size in sorted(best):
    p, a, d = best[size]
    print(f"| {size} | {p:.0f} | {a:.0f} | {a / p:.2f} | {d:.0f} | {d / p:.2f} |")
PY
rm -f "$results"
