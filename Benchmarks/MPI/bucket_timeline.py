#!/usr/bin/env python3
"""Where a DDP gradient bucket's time goes, from the timelines its ranks wrote.

Run any DDP program with SWIFTTORCH_DDP_TIMELINE set to a directory (every rank on this
machine, since the ranks' clocks are compared), then point this at the directory:

    swift build -c release --product distributed-bench
    SWIFTTORCH_DDP_TIMELINE=/tmp/timeline scripts/mpirun-local.sh 2 -x SWIFTTORCH_DDP_TIMELINE .build/release/distributed-bench
    python3 Benchmarks/MPI/bucket_timeline.py /tmp/timeline

With --check it instead verifies the timeline (Tests/Distributed/run.sh): at least one
complete pass, and in each, every rank's events in causal order.

For each bucket size, over every synchronised pass (min and median, in microseconds):
  copy      ready -> filled: the gradients copied into the bucket, scaled by 1/N (slowest rank)
  skew      the spread of the ranks' mpi_begin: how long the first rank to arrive waits
  mpi       last mpi_begin -> last mpi_end: the all-reduce once every rank is in it
  reduced   last filled -> last reduced: from the moment every rank's bucket is full to the
            moment every rank has its averages (hand-off, all-reduce, hand-back)
  hand-off  filled -> mpi_begin, on the slower rank: the bucket's trip to the communication thread
  back      mpi_end -> reduced, on the slower rank: the averages' trip back to the training thread
"""
import collections, glob, os, statistics, sys


def load(directory):
    passes = collections.defaultdict(dict)  # (model, pass, bucket) -> {rank: {event: t}}
    sizes = {}
    for path in sorted(glob.glob(os.path.join(directory, "rank-*.tsv"))):
        rank = int(os.path.basename(path)[5:-4])
        for line in open(path):
            model, step, bucket, size, event, t = line.split("\t")
            key = (int(model), int(step), int(bucket))
            passes[key].setdefault(rank, {})[event] = float(t)
            sizes[key] = int(size)
    return passes, sizes


def summarise(passes, sizes):
    rows = collections.defaultdict(lambda: collections.defaultdict(list))
    for key, ranks in passes.items():
        events = list(ranks.values())
        if len(events) < 2 or not all(len(e) == 6 for e in events):
            continue  # a one-rank world, or a pass cut off at exit
        row = rows[sizes[key]]
        row["copy"].append(max(e["filled"] - e["ready"] for e in events))
        begins = [e["mpi_begin"] for e in events]
        row["skew"].append(max(begins) - min(begins))
        row["mpi"].append(max(e["mpi_end"] for e in events) - max(begins))
        row["reduced"].append(max(e["reduced"] for e in events) - max(e["filled"] for e in events))
        row["hand-off"].append(max(e["mpi_begin"] - e["filled"] for e in events))
        row["back"].append(max(e["reduced"] - e["mpi_end"] for e in events))
    return rows


# Each pair must be in this order on every rank: `submitted` is written after the hand-off
# returns, which may be after the communication thread has begun.
ORDER = [("ready", "filled"), ("filled", "submitted"), ("filled", "mpi_begin"), ("mpi_begin", "mpi_end"),
         ("mpi_end", "reduced"), ("submitted", "reduced")]


def check(passes):
    complete = [(key, ranks) for key, ranks in passes.items() if len(ranks) >= 2 and all(len(e) == 6 for e in ranks.values())]
    if not complete:
        sys.exit("timeline check: no complete pass with two or more ranks")
    for key, ranks in complete:
        for rank, e in ranks.items():
            for a, b in ORDER:
                if e[a] > e[b]:
                    sys.exit(f"timeline check: model {key[0]} pass {key[1]} bucket {key[2]} rank {rank}: {a} after {b}")
    print(f"timeline check: {len(complete)} complete bucket passes, events in order on every rank")


def main():
    arguments = [a for a in sys.argv[1:] if a != "--check"]
    if len(arguments) != 1:
        sys.exit(__doc__)
    if "--check" in sys.argv:
        return check(load(arguments[0])[0])
    rows = summarise(*load(arguments[0]))
    if not rows:
        sys.exit(f"no complete passes with two or more ranks in {arguments[0]}")
    columns = ("copy", "skew", "mpi", "reduced", "hand-off", "back")
    print("| bytes | passes | " + " | ".join(f"{c} min / median µs" for c in columns) + " |")
    print("|---|---|" + "---|" * len(columns))
    for size in sorted(rows):
        r = rows[size]
        cells = [f"{min(r[c]):.0f} / {statistics.median(r[c]):.0f}" for c in columns]
        print(f"| {size} | {len(r['copy'])} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
