#!/usr/bin/env bash
# All-reduce bandwidth, SwiftTorchDistributed against plain MPI (and PyTorch's DDP), on the
# same sizes and ranks. Builds Benchmarks/MPI/allreduce_bandwidth.c with mpicc and the
# release distributed-bench, runs them under mpirun ROUNDS times in turn, and prints two
# markdown tables, each figure the best of its runs:
# 1. The all-reduce: the plain MPI program's rate, MPI_Allreduce timed inside distributed-bench
#    (same process, same moment), and ProcessGroup.allReduce with its ratios to both.
#    Beside them, DDP's gradient all-reduce inside a training step, from the bucket timeline
#    of another run of distributed-bench (Benchmarks/MPI/bucket_timeline.py's "reduced": from
#    the moment every rank's bucket is full to the moment every rank has the averages, so
#    the hand-off to the communication thread and back included).
# 2. A DDP gradient bucket (what it adds to a training step, see distributed-bench's header):
#    a lone parameter's, reduced in its gradient's memory, against the plain all-reduce;
#    a two-parameter bucket's, copied in (and, in the copy layout, out), against the plain
#    program doing the same work (`--scaled-copy`: the gradient scaled into the buffer, then
#    MPI_Allreduce) and against the plain all-reduce; and the lone bucket against PyTorch's
#    DDP bucket measured the same way (Benchmarks/MPI/torch_ddp_bucket.py; Gloo over
#    loopback, PyTorch's wheels have no MPI), when python3 can import torch.
#   Benchmarks/MPI/compare.sh [ranks, default 2] [rounds, default 3]
set -euo pipefail
cd "$(dirname "$0")/../.."
ranks=${1:-2}
rounds=${2:-3}
mkdir -p .build
# -O3: GCC's -O2 leaves the scaled copy's loop scalar, which would flatter the bucket.
mpicc -O3 -o .build/allreduce_bandwidth Benchmarks/MPI/allreduce_bandwidth.c
swift build -c release --product distributed-bench >&2
torch=0
python3 -c "import torch.distributed" 2>/dev/null && torch=1
[ "$torch" = 1 ] || echo "compare.sh: python3 cannot import torch.distributed, so the PyTorch DDP bucket is left out (–)" >&2
results=$(mktemp)
timeline=$(mktemp -d)
for _ in $(seq "$rounds"); do
    scripts/mpirun-local.sh "$ranks" .build/allreduce_bandwidth | awk '!/^#/ { print "program", $1, $3 }' >>"$results"
    scripts/mpirun-local.sh "$ranks" .build/allreduce_bandwidth --scaled-copy | awk '!/^#/ { print "floor", $1, $3 }' >>"$results"
    scripts/mpirun-local.sh "$ranks" .build/release/distributed-bench | awk '!/^#/ { print "bench", $1, $3, $5, $7, $9, $11 }' >>"$results"
    rm -f "$timeline"/*
    SWIFTTORCH_DDP_TIMELINE="$timeline" scripts/mpirun-local.sh "$ranks" -x SWIFTTORCH_DDP_TIMELINE .build/release/distributed-bench >/dev/null
    python3 - "$timeline" >>"$results" <<'PY'
import sys
sys.path.insert(0, "Benchmarks/MPI")
from bucket_timeline import load, summarise
for size, row in summarise(*load(sys.argv[1])).items():
    print("timeline", size, size / min(row["reduced"]))  # bytes per µs: MB/s
PY
    [ "$torch" = 0 ] || scripts/mpirun-local.sh "$ranks" python3 Benchmarks/MPI/torch_ddp_bucket.py | awk '!/^#/ { print "torch", $1, $5 }' >>"$results"
done
python3 - "$results" <<'PY'
import sys, collections
best = collections.defaultdict(lambda: collections.defaultdict(float))
names = {"program": ["program"], "floor": ["floor"], "torch": ["torch"], "timeline": ["ddp"], "bench": ["mpi", "reduce", "lone", "copied", "layout"]}
for line in open(sys.argv[1]):
    kind, size, *rates = line.split()
    for name, rate in zip(names[kind], rates):
        best[int(size)][name] = max(best[int(size)][name], float(rate))
ratio = lambda a, b: f"{a / b:.2f}" if a and b else "–"
# A rate nobody measured (PyTorch absent) is a dash, not 0 MB/s.
rate = lambda a: f"{a:.0f}" if a else "–"
print("| bytes | MPI program MB/s | MPI in process MB/s | allReduce MB/s | ÷ in process | ÷ program | DDP bucket all-reduce MB/s | ÷ in process | ÷ program |")
print("|---|---|---|---|---|---|---|---|---|")
for size, r in sorted(best.items()):
    print(f"| {size} | {r['program']:.0f} | {r['mpi']:.0f} | {r['reduce']:.0f} | {ratio(r['reduce'], r['mpi'])} | {ratio(r['reduce'], r['program'])} "
          f"| {r['ddp']:.0f} | {ratio(r['ddp'], r['mpi'])} | {ratio(r['ddp'], r['program'])} |")
print()
print("| bytes | lone bucket MB/s | ÷ MPI program | scaled copy + all-reduce program MB/s | copied bucket MB/s | ÷ that program | ÷ MPI program | copy layout MB/s | ÷ that program | PyTorch DDP bucket MB/s | lone ÷ PyTorch's |")
print("|---|---|---|---|---|---|---|---|---|---|---|")
for size, r in sorted(best.items()):
    print(f"| {size} | {r['lone']:.0f} | {ratio(r['lone'], r['program'])} | {r['floor']:.0f} | {r['copied']:.0f} | {ratio(r['copied'], r['floor'])} "
          f"| {ratio(r['copied'], r['program'])} | {r['layout']:.0f} | {ratio(r['layout'], r['floor'])} | {rate(r['torch'])} | {ratio(r['lone'], r['torch'])} |")
PY
rm -rf "$results" "$timeline"
