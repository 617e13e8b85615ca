#!/usr/bin/env python3
"""all-MiniLM-L6-v2 sentence embeddings: SwiftTorch's semantic-search example against
sentence-transformers on the same texts, in one run. Prints sentences per second at batch 32
(texts of 10-60 tokens), the ratio (> 1: SwiftTorch is faster), each process's peak resident
memory (/usr/bin/time -v), and how closely the two sets of embeddings agree.

    swift build -c release --product semantic-search
    python3 Benchmarks/minilm_throughput.py [--texts 512] [--rounds 5] [--backend NAME]

The model comes from scripts/fetch-minilm.sh; needs `pip install sentence-transformers`.
Each side is one process that loads the model, embeds the texts once (written out, and a
warm-up), then embeds them --rounds more times; the median round counts.
"""
import argparse, json, os, random, re, subprocess, sys, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MODEL = os.path.join(ROOT, ".cache", "models", "all-MiniLM-L6-v2")
WORDS = ("the model learns a small network from data with gradients and an optimiser while the loss "
         "falls slowly over many epochs of training on images text and sound people often ask how "
         "to save load and share weights between programs written in different languages quickly").split()


def make_texts(count, seed=0):
    """Sentences of 8-46 words (10-60 tokens with [CLS] and [SEP]), seeded."""
    rng = random.Random(seed)
    texts = []
    for _ in range(count):
        words = [rng.choice(WORDS) for _ in range(rng.randint(8, 46))]
        texts.append(" ".join(words).capitalize() + ".")
    return texts


def peak_rss_mib(stderr):
    match = re.search(r"Maximum resident set size \(kbytes\): (\d+)", stderr)
    return int(match.group(1)) / 1024 if match else float("nan")


def run_peer(args):
    """The sentence-transformers side, in its own process (so its memory is its own)."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import numpy as np
    import torch
    from sentence_transformers import SentenceTransformer
    texts = open(args.peer, encoding="utf-8").read().split("\n")[:-1]
    model = SentenceTransformer(MODEL, device="cpu")
    first = model.encode(texts, batch_size=32, convert_to_numpy=True)
    np.save(args.peer + ".npy", first)
    wall, cpu = [], []
    for _ in range(args.rounds):
        t0, c0 = time.perf_counter(), time.process_time()
        model.encode(texts, batch_size=32, convert_to_numpy=True)
        wall.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    rate = lambda seconds: len(texts) / sorted(seconds)[len(seconds) // 2]
    print(f"sentences/s: {rate(wall):.1f}, per CPU-second: {rate(cpu):.1f} "
          f"(torch {torch.__version__}, {torch.get_num_threads()} threads)")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--texts", type=int, default=512)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--backend", default=None)
    parser.add_argument("--binary", default=os.path.join(ROOT, ".build", "release", "semantic-search"))
    parser.add_argument("--peer", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.peer:
        return run_peer(args)

    from transformers import AutoTokenizer
    texts = make_texts(args.texts)
    lengths = [len(ids) for ids in AutoTokenizer.from_pretrained(MODEL)(texts)["input_ids"]]
    with tempfile.TemporaryDirectory() as work:
        path = os.path.join(work, "texts.txt")
        with open(path, "w", encoding="utf-8") as f:
            f.write("\n".join(texts) + "\n")
        swift_cmd = ["/usr/bin/time", "-v", args.binary, "--model", MODEL, "--embed", path,
                     "--out", os.path.join(work, "swift.jsonl"), "--batch-size", "32", "--timing-rounds", str(args.rounds)]
        if args.backend:
            swift_cmd += ["--backend", args.backend]
        peer_cmd = ["/usr/bin/time", "-v", sys.executable, os.path.abspath(__file__), "--peer", path, "--rounds", str(args.rounds)]
        results = {}
        for name, cmd in (("SwiftTorch", swift_cmd), ("sentence-transformers", peer_cmd)):
            done = subprocess.run(cmd, capture_output=True, text=True)
            if done.returncode != 0:
                sys.exit(f"{name} failed:\n{done.stdout}\n{done.stderr}")
            match = re.search(r"sentences/s: ([0-9.]+), per CPU-second: ([0-9.]+)", done.stdout)
            results[name] = (float(match.group(1)), float(match.group(2)), peak_rss_mib(done.stderr),
                             done.stdout.strip().splitlines()[-1])

        import numpy as np
        ours = np.array([json.loads(line) for line in open(os.path.join(work, "swift.jsonl"))], dtype=np.float64)
        theirs = np.load(path + ".npy").astype(np.float64)
        cosine = (ours * theirs).sum(1) / (np.linalg.norm(ours, axis=1) * np.linalg.norm(theirs, axis=1))
        max_diff = np.abs(ours - theirs).max()

    print(f"{len(texts)} texts, {min(lengths)}-{max(lengths)} tokens (mean {sum(lengths) / len(lengths):.1f}), batch 32, "
          f"median of {args.rounds} rounds, backend {args.backend or 'default'}")
    print("| | sentences/s | sentences per CPU-second | peak RSS (MiB) |")
    print("| --- | ---: | ---: | ---: |")
    for name, (rate, cpu_rate, rss, _) in results.items():
        print(f"| {name} | {rate:.1f} | {cpu_rate:.1f} | {rss:.0f} |")
    swift_side, peer_side = results["SwiftTorch"], results["sentence-transformers"]
    print(f"\nSwiftTorch / sentence-transformers: {swift_side[0] / peer_side[0]:.2f}x (wall), {swift_side[1] / peer_side[1]:.2f}x (CPU time)")
    print(f"agreement: min cosine {cosine.min():.6f}, max abs diff {max_diff:.2e}")
    for name, (_, _, _, line) in results.items():
        print(f"{name}: {line}")


if __name__ == "__main__":
    main()
