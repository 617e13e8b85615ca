"""PyTorch on the same GPU, timing the workloads of `swifttorch bench` (same names, shapes
and units) plus mm-4096 and add-64M, for Docs/cuda.md.

Each figure is the median of 7 runs after a warm-up. Two timings per workload:
- "sync": every call is followed by torch.cuda.synchronize(), as SwiftTorch's
  SWIFTTORCH_CUDA_LAUNCH_BLOCKING=1 does (what `swifttorch bench` measures on a GPU);
- "pipelined": calls are queued back to back and the run ends with one synchronize.
TF32 is off for matrix products (torch.backends.cuda.matmul.allow_tf32 = False).

Usage: python3 Backends/CUDA/bench_pytorch.py
"""
import statistics
import time

import torch

torch.backends.cuda.matmul.allow_tf32 = False
torch.backends.cudnn.allow_tf32 = False
dev = torch.device("cuda")


def timed(call, iterations, sync_each):
    torch.cuda.synchronize()
    start = time.perf_counter()
    for _ in range(iterations):
        call()
        if sync_each:
            torch.cuda.synchronize()
    torch.cuda.synchronize()
    return (time.perf_counter() - start) / iterations


def measure(call, sync_each):
    call()
    torch.cuda.synchronize()
    once = timed(call, 3, True)
    iterations = max(1, int(0.2 / max(once, 1e-9)))
    return statistics.median(timed(call, iterations, sync_each) for _ in range(7))


def workloads():
    for n in (256, 512, 1024, 2048, 4096):
        a, b = torch.randn(n, n, device=dev), torch.randn(n, n, device=dev)
        yield f"mm-{n}", "GFLOP/s", 2 * n**3, lambda a=a, b=b: a.matmul(b)
    big = 16_777_216
    x, y = torch.rand(big, device=dev), torch.rand(big, device=dev)
    yield "add-16M", "ms", None, lambda: x + y
    yield "mul-16M", "ms", None, lambda: x * y
    yield "exp-16M", "ms", None, lambda: x.exp()
    yield "sum-16M", "ms", None, lambda: x.sum()
    s = torch.randn(4096, 1024, device=dev)
    yield "softmax-4096x1024", "ms", None, lambda: s.softmax(dim=-1)
    t1, t2 = torch.rand(8, device=dev), torch.rand(8, device=dev)
    yield "add-tiny", "us", None, lambda: t1 + t2
    huge = 67_108_864
    u, v = torch.rand(huge, device=dev), torch.rand(huge, device=dev)
    yield "add-64M", "ms", None, lambda: u + v


def value(seconds, unit, flops):
    if unit == "GFLOP/s":
        return flops / seconds / 1e9
    return seconds * (1e3 if unit == "ms" else 1e6)


print(f"# PyTorch {torch.__version__}, CUDA {torch.version.cuda}, {torch.cuda.get_device_name(0)}, TF32 off")
print(f"{'workload':<20}{'sync':>14}{'pipelined':>14}  unit")
for name, unit, flops, call in workloads():
    synced = value(measure(call, True), unit, flops)
    pipelined = value(measure(call, False), unit, flops)
    print(f"{name:<20}{synced:>14.4g}{pipelined:>14.4g}  {unit}", flush=True)
