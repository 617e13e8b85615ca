#!/usr/bin/env python3
"""Runs `swifttorch bench --json` and the same workloads in NumPy (and PyTorch when it can be
imported) in one run, and prints a markdown table of SwiftTorch / peer ratios per backend.

    python3 Benchmarks/compare.py [SWIFTTORCH_BINARY] [--backend NAME ...] [--filter TEXT] [--rounds N] [--threads N]

The binary defaults to .build/release/swifttorch; build it with `swift build -c release`.
Ratios are oriented so that > 1 always means SwiftTorch is faster: ours / peer for GFLOP/s,
peer / ours for times. The workloads mirror Sources/SwiftTorch/Benchmarks/BenchmarkWorkload.swift
(same shapes, dtypes and input distributions; a fresh output per call), and are timed the same
way: one warm-up call, runs of about 0.2 s, the median run's time per call. The training
workloads (digits-mlp-train, digits-cnn-train; Sources/SwiftTorch/Benchmarks/TrainingWorkload.swift)
are one whole training run each per round, without a warm-up; their PyTorch side is the recipe
of pytorch_training.py (same split, batch order and hyperparameters), with its test accuracy.
"""
import argparse, datetime, json, os, platform, shlex, statistics, subprocess, sys, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
TRAINING = ("digits-mlp-train", "digits-cnn-train")  # timed once per round, with an accuracy
MISSING = "n/a"  # a peer without the workload (NumPy has no autograd or convolution)

LARGE = 16_777_216
TARGET_RUN_S, MAX_RUNS, MEASURE_S = 0.2, 7, 2.0
UNITS = {"GFLOP/s": True, "ms": False, "us": False}  # unit -> higher is better


def time_call(call):
    """Median seconds per call, with the timing rule of swifttorch's WorkloadRunner."""
    t0 = time.perf_counter(); call(); warm = max(time.perf_counter() - t0, 1e-9)
    iterations = max(1, int(TARGET_RUN_S / warm))
    runs = min(MAX_RUNS, max(1, int(MEASURE_S / (iterations * warm))))
    per_call = []
    for _ in range(runs):
        t0 = time.perf_counter()
        for _ in range(iterations):
            call()
        per_call.append((time.perf_counter() - t0) / iterations)
    return sorted(per_call)[len(per_call) // 2]


def value(name, unit, seconds):
    if unit == "GFLOP/s":
        # mm-N is N x N x N; mm-MxKxN and mm-f64-N name their sizes.
        sizes = [int(s) for s in name.split("-")[-1].split("x")]
        m, k, n = sizes if len(sizes) == 3 else sizes * 3
        return 2 * m * k * n / seconds / 1e9
    return seconds * (1e3 if unit == "ms" else 1e6)


def numpy_workloads():
    import numpy as np
    rng = np.random.default_rng(0)
    f32 = np.float32
    def mm(n):
        a, b = rng.standard_normal((n, n), f32), rng.standard_normal((n, n), f32)
        return lambda: a @ b
    def big(k):
        return [rng.random(LARGE, f32) for _ in range(k)]
    def softmax():
        x = rng.standard_normal((4096, 1024), f32)
        def call():  # NumPy has no softmax: the usual stable formulation
            e = np.exp(x - x.max(axis=-1, keepdims=True))
            return e / e.sum(axis=-1, keepdims=True)
        return call
    def add_tiny():
        a, b = rng.random(8, f32), rng.random(8, f32)
        return lambda: a + b
    def add_scalar_tiny():
        x = rng.random(8, f32)
        return lambda: x + 2.0  # NumPy 2 (NEP 50): a Python float keeps float32
    return {
        **{f"mm-{n}": (lambda n=n: mm(n)) for n in (256, 512, 1024, 2048)},
        "mm-64x128x512": lambda: (lambda a, b: lambda: a @ b)(rng.standard_normal((64, 128), f32), rng.standard_normal((128, 512), f32)),
        "mm-f64-512": lambda: (lambda a, b: lambda: a @ b)(rng.standard_normal((512, 512)), rng.standard_normal((512, 512))),
        "add-16M": lambda: (lambda a, b: lambda: a + b)(*big(2)),
        "mul-16M": lambda: (lambda a, b: lambda: a * b)(*big(2)),
        "exp-16M": lambda: (lambda a: lambda: np.exp(a))(*big(1)),
        "sum-16M": lambda: (lambda a: lambda: a.sum())(*big(1)),
        "softmax-4096x1024": softmax,
        "add-tiny": add_tiny,
        "add-scalar-tiny": add_scalar_tiny,
    }


def torch_workloads(torch):
    import pytorch_training  # the training recipes, shared with that script
    import pytorch_sequence  # the sequence models' training steps
    torch.manual_seed(0)
    f32 = torch.float32
    def pair(shape, fn):
        a, b = fn(shape, dtype=f32), fn(shape, dtype=f32)
        return a, b
    return {
        **{f"mm-{n}": (lambda n=n: (lambda a, b: lambda: a @ b)(*pair((n, n), torch.randn))) for n in (256, 512, 1024, 2048)},
        "mm-64x128x512": lambda: (lambda a, b: lambda: a @ b)(torch.randn(64, 128, dtype=f32), torch.randn(128, 512, dtype=f32)),
        "mm-f64-512": lambda: (lambda a, b: lambda: a @ b)(*pair((512, 512), lambda s, dtype: torch.randn(s, dtype=torch.float64))),
        "add-16M": lambda: (lambda a, b: lambda: a + b)(*pair((LARGE,), torch.rand)),
        "mul-16M": lambda: (lambda a, b: lambda: a * b)(*pair((LARGE,), torch.rand)),
        "exp-16M": lambda: (lambda a: lambda: torch.exp(a))(torch.rand(LARGE, dtype=f32)),
        "sum-16M": lambda: (lambda a: lambda: a.sum())(torch.rand(LARGE, dtype=f32)),
        "softmax-4096x1024": lambda: (lambda x: lambda: torch.softmax(x, -1))(torch.randn(4096, 1024, dtype=f32)),
        "add-tiny": lambda: (lambda a, b: lambda: a + b)(*pair((8,), torch.rand)),
        "add-scalar-tiny": lambda: (lambda x: lambda: x + 2.0)(torch.rand(8, dtype=f32)),
        "conv2d-fwd-bwd": lambda: conv2d_step(torch),
        "mlp-step": lambda: pytorch_training.mlp_step_call("cpu"),
        **pytorch_sequence.STEPS,
        **{name: (lambda name=name: Trained(lambda: pytorch_training.digits(name))) for name in TRAINING},
    }


class Trained:
    """A training workload: one run per round (no timing loop); ms and the test accuracy."""
    def __init__(self, run):
        self.run = run


def conv2d_step(torch):
    """Forward and backward of conv2d, batch 64, 1 -> 32 channels, 28x28, 3x3, with bias."""
    x = torch.randn(64, 1, 28, 28, requires_grad=True)
    w, b = torch.randn(32, 1, 3, 3, requires_grad=True), torch.randn(32, requires_grad=True)
    upstream = torch.randn(64, 32, 26, 26)
    def call():
        for t in (x, w, b):
            t.grad = None
        torch.nn.functional.conv2d(x, w, b).backward(upstream)
    return call


def run_peer(workloads, names, units, accuracies):
    """Values by name; a training workload's accuracy goes to accuracies[name]."""
    out = {}
    for name in names:
        if name not in workloads:  # NumPy has no convolution and no training
            out[name] = MISSING
            continue
        call = workloads[name]()
        if isinstance(call, Trained):
            out[name], accuracy = call.run()
            accuracies.setdefault(name, []).append(accuracy)
        else:
            out[name] = value(name, units[name], time_call(call))
        del call
    return out


def run_swifttorch(binary, backends, workload_filter, env):
    """Runs `swifttorch bench`; each named backend in its own process, chosen the way a user
    chooses one (SWIFTTORCH_BACKEND), so that no run pays for a scoped override."""
    results, notes, commands = [], {}, []  # notes: (name, backend) -> note
    for backend in backends or [None]:
        cmd = [binary, "bench", "--json"] + (["--backend", backend] if backend else [])
        if workload_filter:
            cmd += ["--filter", workload_filter]
        named = backend and backend != "default"  # "default": the default chain, nothing named
        run_env = dict(env, SWIFTTORCH_BACKEND=backend) if named else env
        p = subprocess.run(cmd, capture_output=True, text=True, env=run_env)
        shown = (f"SWIFTTORCH_BACKEND={backend} " if named else "") + shlex.join(cmd)
        if p.returncode != 0:
            sys.exit(f"compare.py: {shown} failed ({p.returncode}):\n{p.stderr}")
        for line in p.stderr.splitlines():  # "swifttorch bench: NAME on BACKEND: NOTE"
            if line.startswith("swifttorch bench: ") and " on " in line:
                head, _, note = line[len("swifttorch bench: "):].partition(": ")
                name, _, on = head.partition(" on ")
                notes[(name, on)] = note
        results += json.loads(p.stdout)
        commands.append(shown)
    return results, notes, "; ".join(commands)


def machine():
    model, cpus = platform.processor() or "?", str(os.cpu_count())
    try:
        for line in subprocess.run(["lscpu"], capture_output=True, text=True).stdout.splitlines():
            key, _, val = line.partition(":")
            if key.strip() == "Model name": model = val.strip()
            if key.strip() == "CPU(s)": cpus = val.strip()
    except OSError:
        pass
    return model, cpus


def loadavg():
    try:
        return open("/proc/loadavg").read().split()[:3]
    except OSError:
        return ["?"] * 3


def blas_info(binary):
    import numpy as np
    info = subprocess.run([binary, "info"], capture_output=True, text=True).stdout
    ours = next((l.strip() for l in info.splitlines() if "OpenBLAS" in l), "?")
    try:
        cfg = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
        theirs = f"{cfg.get('name')} {cfg.get('version')}"
    except Exception:
        theirs = "?"
    return ours, f"NumPy {np.__version__} ({theirs})"


def fmt(v, unit):
    if v == MISSING:
        return "–"
    if v is None:
        return "skipped"
    return f"{v:.3g}" if v < 100 else f"{v:.0f}"


def fmt_accuracy(values):
    """The distinct test accuracies over the rounds, as percentages."""
    values = sorted({round(100 * a, 2) for a in values if a is not None})
    return " (" + "/".join(f"{a:.2f} %" for a in values) + ")" if values else ""


def ratio(ours, peer, unit):
    if ours is None or peer is None or peer == MISSING or ours == 0 or peer == 0:
        return None
    return ours / peer if UNITS[unit] else peer / ours


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("binary", nargs="?", default=".build/release/swifttorch")
    ap.add_argument("--backend", action="append", default=[], help="passed on to swifttorch bench (repeatable)")
    ap.add_argument("--filter", help="passed on to swifttorch bench: only workloads whose name contains it, "
                    "or one of several comma-separated texts (tiny,mlp-step,train)")
    ap.add_argument("--rounds", type=int, default=1, help="alternate SwiftTorch and peers N times; report medians")
    ap.add_argument("--threads", type=int, help="threads for every side: OMP_NUM_THREADS and OPENBLAS_NUM_THREADS "
                    "for SwiftTorch and NumPy, torch.set_num_threads for PyTorch (default: each library's own)")
    args = ap.parse_args()
    if not os.access(args.binary, os.X_OK):
        sys.exit(f"compare.py: {args.binary} is not an executable; build with `swift build -c release` or pass its path")
    if args.threads:  # before NumPy loads its OpenBLAS
        for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
            os.environ[var] = str(args.threads)

    try:
        import torch
        if args.threads:
            torch.set_num_threads(args.threads)
    except ImportError:
        torch = None
    load_before = loadavg()
    started = datetime.datetime.now(datetime.timezone.utc)
    ours_rounds, peer_rounds, notes, command = [], {"NumPy": []}, {}, ""  # notes: key -> set of texts
    accuracies = {}  # (name, backend) or (name, peer) -> [accuracy per round]
    if torch is not None:
        peer_rounds["PyTorch " + torch.__version__] = []
    for _ in range(max(1, args.rounds)):
        results, round_notes, command = run_swifttorch(args.binary, args.backend, args.filter, dict(os.environ))
        for key, note in round_notes.items():
            notes.setdefault(key, set()).add(note)
        ours_rounds.append({(r["name"], r["backend"]): r for r in results})
        for r in results:
            if "accuracy" in r:
                accuracies.setdefault((r["name"], r["backend"]), []).append(r["accuracy"])
        names = list(dict.fromkeys(r["name"] for r in results))
        units = {r["name"]: r["unit"] for r in results}
        for peer, workloads in [("NumPy", numpy_workloads)] + (
                [("PyTorch " + torch.__version__, lambda: torch_workloads(torch))] if torch is not None else []):
            peer_accuracies = {}
            peer_rounds[peer].append(run_peer(workloads(), names, units, peer_accuracies))
            for name, values in peer_accuracies.items():
                accuracies.setdefault((name, peer), []).extend(values)

    def median(values):
        if values and all(v == MISSING for v in values):
            return MISSING
        values = [v for v in values if v is not None and v != MISSING]
        return statistics.median(values) if values else None

    keys = list(ours_rounds[0])
    ours = {k: median([r[k]["value"] for r in ours_rounds]) for k in keys}
    units = {k[0]: ours_rounds[0][k]["unit"] for k in keys}
    names = list(dict.fromkeys(k[0] for k in keys))
    backends = list(dict.fromkeys(k[1] for k in keys))
    peers = {p: {n: median([r[n] for r in rounds]) for n in names} for p, rounds in peer_rounds.items()}

    model, cpus = machine()
    ours_blas, numpy_blas = blas_info(args.binary)
    print(f"- machine: {model}, {cpus} CPUs ({platform.system()} {platform.release()})")
    print(f"- date: {started.strftime('%Y-%m-%d %H:%M UTC')}; load average before/after: "
          f"{' '.join(load_before)} / {' '.join(loadavg())}")
    print(f"- command: `python3 {shlex.join(sys.argv)}` (runs `{command}`; {max(1, args.rounds)} round(s), medians)")
    env = ", ".join(f"{v}={os.environ.get(v, '(unset)')}" for v in
                    ("OPENBLAS_CORETYPE", "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "SWIFTTORCH_NUM_THREADS"))
    print(f"- BLAS: SwiftTorch {ours_blas}; {numpy_blas}")
    print(f"- environment: {env}")
    if torch is None:
        print("- PyTorch: not importable here; NumPy only")
    else:
        print(f"- PyTorch threads: {torch.get_num_threads()} (torch.get_num_threads())")
    print()
    print("Ratio convention: **> 1 means SwiftTorch is faster** than the peer "
          "(GFLOP/s: ours / peer; ms and us: peer time / our time).")
    print()
    print("Timing: each workload has one warm-up call, then up to 7 runs of about 0.2 s; the figure is the "
          "median run's time per call (the median over rounds with --rounds)."
          + (f" {', '.join(n for n in names if n in TRAINING)}: one whole training run (30 epochs) per round and "
             "side, no warm-up, training loop only (data, model set-up and evaluation untimed); "
             "the median over rounds, test accuracy in parentheses." if any(n in TRAINING for n in names) else ""))
    print()
    header = ["workload", "unit"] + list(peers)
    for b in backends:
        header += [f"{b}"] + [f"{b} ÷ {p.split()[0]}" for p in peers]
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    footnotes = []
    for n in names:
        u = units[n]
        row = [n, u] + [fmt(peers[p][n], u) + fmt_accuracy(accuracies.get((n, p), ())) for p in peers]
        for b in backends:
            cell = fmt(ours[(n, b)], u) + fmt_accuracy(accuracies.get((n, b), ()))
            note = "; ".join(sorted(notes.get((n, b), ())))
            if note:  # one number per distinct note
                if note not in footnotes:
                    footnotes.append(note)
                cell += f" [{footnotes.index(note) + 1}]"
            row.append(cell)
            for p in peers:
                r = ratio(ours[(n, b)], peers[p][n], u)
                row.append("–" if r is None else f"{r:.2f}")
        print("| " + " | ".join(row) + " |")
    if footnotes:
        print()
        for i, note in enumerate(footnotes, 1):
            print(f"[{i}] {note}")


if __name__ == "__main__":
    main()
