#!/usr/bin/env python3
"""The training benchmarks in PyTorch, the twins of SwiftTorch's training recipes
(Sources/SwiftTorch/Benchmarks/TrainingRecipes.swift), for side-by-side ratios.

Prints JSON lines {"name", "backend": "pytorch-DEVICE", "value", "unit"} for:
  digits-mlp-train  the digits recipe of Examples/DigitsMLP (MLP 64-128-64-10, ReLU,
                CrossEntropyLoss, SGD lr 0.01 momentum 0.9, batch 64, 30 epochs, pixels / 16),
                ms of training, with "accuracy" on the test split
  digits-cnn-train  the recipe of Examples/DigitsCNN (conv 3x3 1->32 pad 1, ReLU, max-pool 2,
                conv 3x3 32->64 pad 1, ReLU, flatten, linear 1024->10; SGD lr 0.05 momentum
                0.9; otherwise as digits-mlp-train)
  mlp-step      one training step of the MNIST-sized MLP 784-128-64-10 (batch 64, random
                data): zero_grad, forward, loss, backward, step; ms per step (best of 5 runs)

The digits split and the batch order are SwiftTorch's, reproduced bit for bit (see
SwiftTorchGenerator): the same 1438 training and 359 test samples, the same batches in the same
order every epoch. Only the initial weights differ (each library draws its own).

Usage: python3 Benchmarks/pytorch_training.py [--digits PATH/digits.csv.gz] [--device cpu|cuda] [--threads N]
compare.py imports this file's recipes (RECIPES, digits, mlp_step_call).
"""
import argparse, gzip, json, os, time

import torch
from torch import nn

DIGITS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Sources", "SwiftTorch", "Resources", "digits.csv.gz")
MASK = (1 << 64) - 1


class SwiftTorchGenerator:
    """SwiftTorch's `Generator` (Sources/SwiftTorch/Tensor/Random.swift): xoshiro256** seeded
    through SplitMix64, and its `permutation` (Data/RandomSplit.swift): a Fisher-Yates shuffle
    with one 64-bit draw per swap, taken modulo i + 1."""

    def __init__(self, seed):
        x, s = seed, []
        for _ in range(4):
            x = (x + 0x9E3779B97F4A7C15) & MASK
            z = x
            z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
            z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
            s.append(z ^ (z >> 31))
        self.s = s

    @staticmethod
    def _rotl(v, k):
        return ((v << k) | (v >> (64 - k))) & MASK

    def next(self):
        s0, s1, s2, s3 = self.s
        result = (self._rotl((s1 * 5) & MASK, 7) * 9) & MASK
        t = (s1 << 17) & MASK
        s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3
        s2 ^= t
        s3 = self._rotl(s3, 45)
        self.s = [s0, s1, s2, s3]
        return result

    def permutation(self, n):
        order = list(range(n))
        draws = [self.next() for _ in range(n - 1)]
        for k, i in enumerate(range(n - 1, 0, -1)):
            j = draws[k] % (i + 1)
            order[i], order[j] = order[j], order[i]
        return order


def digits_split(n):
    """SwiftTorch's `randomSplit(_, fractions: [0.8, 0.2], generator: Generator(seed: 42))`:
    floor(fraction * n) each, the remainder one by one to the parts in order."""
    lengths = [int(f * n) for f in (0.8, 0.2)]
    for i in range(n - sum(lengths)):
        lengths[i % 2] += 1
    order = SwiftTorchGenerator(42).permutation(n)
    return order[:lengths[0]], order[lengths[0]:]


def load_digits(path=DIGITS):
    rows = [list(map(float, line.split(","))) for line in gzip.open(path, "rt") if line.strip()]
    data = torch.tensor(rows)
    return data[:, :64] / 16.0, data[:, 64].long()


def mlp(sizes):
    layers = []
    for i, (a, b) in enumerate(zip(sizes, sizes[1:])):
        layers.append(nn.Linear(a, b))
        if i < len(sizes) - 2:
            layers.append(nn.ReLU())
    return nn.Sequential(*layers)


def cnn():
    return nn.Sequential(nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(32, 64, 3, padding=1),
                         nn.ReLU(), nn.Flatten(), nn.Linear(64 * 4 * 4, 10))


# SwiftTorch's DigitsRecipe.mlp and .cnn: model, learning rate, sample shape. Both: SGD momentum
# 0.9, batch 64, 30 epochs, cross entropy.
RECIPES = {
    "digits-mlp-train": dict(make_model=lambda: mlp([64, 128, 64, 10]), lr=0.01, image_shape=(64,)),
    "digits-cnn-train": dict(make_model=cnn, lr=0.05, image_shape=(1, 8, 8)),
}
EPOCHS, BATCH, MOMENTUM = 30, 64, 0.9


def digits(recipe, device="cpu", path=DIGITS):
    """Trains RECIPES[recipe] from scratch; returns (ms in the training loop, test accuracy)."""
    r = RECIPES[recipe]
    x, y = load_digits(path)
    x = x.reshape((-1,) + r["image_shape"])
    train, test = digits_split(len(x))
    # SwiftTorch's DataLoader draws one permutation of the training subset per epoch from
    # Generator(seed: 7). Drawn here before the clock starts: in pure Python it costs about a
    # millisecond an epoch, where SwiftTorch's takes microseconds.
    shuffle = SwiftTorchGenerator(7)
    train_t = torch.tensor(train)
    orders = [train_t[torch.tensor(shuffle.permutation(len(train)))].to(device) for _ in range(EPOCHS)]
    torch.manual_seed(0)
    model = r["make_model"]().to(device)
    loss_fn = nn.CrossEntropyLoss()
    opt = torch.optim.SGD(model.parameters(), lr=r["lr"], momentum=MOMENTUM)
    xs, ys = x.to(device), y.to(device)
    start = time.perf_counter()
    for order in orders:
        model.train()
        for i in range(0, len(order), BATCH):
            idx = order[i:i + BATCH]
            opt.zero_grad()
            loss = loss_fn(model(xs[idx]), ys[idx])
            loss.backward()
            opt.step()
    if device == "cuda":
        torch.cuda.synchronize()
    elapsed = time.perf_counter() - start
    model.eval()
    test_t = torch.tensor(test, device=device)
    with torch.no_grad():
        acc = (model(xs[test_t]).argmax(1) == ys[test_t]).float().mean().item()
    return elapsed * 1e3, acc


def mlp_step_call(device="cpu"):
    """SwiftTorch's MLPStep: the MLP 784-128-64-10, SGD lr 0.01 momentum 0.9, one fixed random
    batch of 64; returns the step (zero_grad, forward, loss, backward, step) to time."""
    torch.manual_seed(0)
    model = mlp([784, 128, 64, 10]).to(device)
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    loss_fn = nn.CrossEntropyLoss()
    x = torch.randn(64, 784, device=device)
    y = torch.randint(0, 10, (64,), device=device)

    def step():
        opt.zero_grad()
        loss_fn(model(x), y).backward()
        opt.step()
    return step


def mlp_step(device, steps=500):
    """ms per step, best of 5 runs of `steps` after 50 warm-up steps (training-bench's rule)."""
    step = mlp_step_call(device)
    for _ in range(50):
        step()
    if device == "cuda":
        torch.cuda.synchronize()
    best = float("inf")
    for _ in range(5):
        start = time.perf_counter()
        for _ in range(steps):
            step()
        if device == "cuda":
            torch.cuda.synchronize()
        best = min(best, (time.perf_counter() - start) / steps)
    return best * 1e3


if __name__ == "__main__":
    p = argparse.ArgumentParser()
    p.add_argument("--digits", default=DIGITS)
    p.add_argument("--device", default="cpu")
    p.add_argument("--threads", type=int, default=0)
    a = p.parse_args()
    if a.threads:
        torch.set_num_threads(a.threads)
    for name in RECIPES:
        ms, acc = digits(name, a.device, a.digits)
        print(json.dumps({"name": name, "backend": "pytorch-" + a.device, "value": ms, "unit": "ms", "accuracy": acc}))
    print(json.dumps({"name": "mlp-step", "backend": "pytorch-" + a.device, "value": mlp_step(a.device), "unit": "ms"}))
