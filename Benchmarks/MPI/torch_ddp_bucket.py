#!/usr/bin/env python3
"""PyTorch's own DDP bucket on this machine, measured as Benchmarks/MPI/DistributedBench
measures SwiftTorch's: what a gradient bucket adds to a training step of Linear(n, 1) (no
bias), a synchronised step (forward, backward, zero_grad) minus one inside `no_sync()`, each
after a barrier, the fastest of each on every rank, then the slower rank's. Also the raw
`dist.all_reduce` of a tensor of the same size. PyTorch's wheels have no MPI backend, so
this is Gloo over loopback TCP: the point is what PyTorch's reducer adds around its
all-reduce (the copy into the bucket, divided by the world size), not Gloo against MPI.

    scripts/mpirun-local.sh 2 python3 Benchmarks/MPI/torch_ddp_bucket.py

One line per size: bytes, then µs and MB/s for the raw all-reduce and for the bucket.
"""
import os, time
import torch
import torch.distributed as dist
from torch.nn.parallel import DistributedDataParallel as DDP

rank = int(os.environ.get("OMPI_COMM_WORLD_RANK", 0))
world = int(os.environ.get("OMPI_COMM_WORLD_SIZE", 1))
torch.set_num_threads(1)
dist.init_process_group("gloo", init_method="tcp://127.0.0.1:29517", rank=rank, world_size=world)


def slowest(values):
    t = torch.tensor(values, dtype=torch.float64)
    dist.all_reduce(t, op=dist.ReduceOp.MAX)
    return t.tolist()


def timed(body):
    dist.barrier()
    start = time.perf_counter()
    body()
    return time.perf_counter() - start


if rank == 0:
    print(f"# {world} ranks, PyTorch {torch.__version__} DDP over Gloo, float32, fastest call of the slower rank")
    print("# bytes allReduce_us allReduce_MB/s bucket_us bucket_MB/s")
size = 4096
while size <= 64 << 20:
    count = size // 4
    rounds = 200 if size <= 1 << 20 else (100 if size <= 4 << 20 else (30 if size <= 16 << 20 else 10))
    layer = torch.nn.Linear(count, 1, bias=False)
    model = DDP(layer, bucket_cap_mb=64, gradient_as_bucket_view=True)
    x = torch.ones(1, count)
    tensor = torch.zeros(count)

    def synchronised():
        model(x).sum().backward()
        model.zero_grad()

    def unsynchronised():
        with model.no_sync():
            model(x).sum().backward()
        model.zero_grad()

    calls = [lambda: dist.all_reduce(tensor), synchronised, unsynchronised]
    best = [float("inf")] * len(calls)
    for round in range(-2, rounds):
        for i, call in enumerate(calls):
            t = timed(call)
            if round >= 0:
                best[i] = min(best[i], t)
    raw, sync, nosync = slowest(best)
    bucket = max(sync - nosync, 1e-9)
    if rank == 0:
        print(f"{size} {raw * 1e6:.1f} {size / raw / 1e6:.1f} {bucket * 1e6:.1f} {size / bucket / 1e6:.1f}", flush=True)
    size *= 4
dist.barrier()
dist.destroy_process_group()
