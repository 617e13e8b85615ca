#!/usr/bin/env python3
"""The training benchmarks in PyTorch, for side-by-side ratios with SwiftTorch.

Prints JSON lines {"name", "backend": "pytorch", "value", "unit"} for:
  digits-train  the digits recipe (MLP 64-128-64-10, ReLU, CrossEntropyLoss, SGD lr 0.01
                momentum 0.9, batch 64, 30 epochs, seeded 80/20 split, pixels / 16), ms
  digits-cnn-train  the digits CNN recipe of Examples/DigitsCNN (conv 3x3 1->32 pad 1, ReLU,
                max-pool 2, conv 3x3 32->64 pad 1, ReLU, flatten, linear 1024->10; SGD lr
                0.05 momentum 0.9; otherwise as digits-train), ms
  mlp-step      one training step of the MNIST-sized MLP 784-128-64-10 (batch 64, random
                data): zero_grad, forward, loss, backward, step; ms per step
and the digits test accuracy.

Usage: python3 Benchmarks/pytorch_training.py [--digits PATH/digits.csv.gz] [--device cpu|cuda]
"""
import argparse, gzip, json, time

import torch
from torch import nn


def load_digits(path):
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


def digits(path, device, make_model=lambda: mlp([64, 128, 64, 10]), lr=0.01, image_shape=(64,)):
    x, y = load_digits(path)
    x = x.reshape((-1,) + image_shape)
    g = torch.Generator().manual_seed(42)
    perm = torch.randperm(len(x), generator=g)
    n_train = int(0.8 * len(x))
    train, test = perm[:n_train], perm[n_train:]
    torch.manual_seed(0)
    model = make_model().to(device)
    loss_fn = nn.CrossEntropyLoss()
    opt = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9)
    xs, ys = x.to(device), y.to(device)
    start = time.perf_counter()
    shuffle = torch.Generator().manual_seed(7)
    for _ in range(30):
        order = train[torch.randperm(n_train, generator=shuffle)]
        for i in range(0, n_train, 64):
            idx = order[i:i + 64].to(device)
            opt.zero_grad()
            loss = loss_fn(model(xs[idx]), ys[idx])
            loss.backward()
            opt.step()
    if device == "cuda":
        torch.cuda.synchronize()
    elapsed = time.perf_counter() - start
    with torch.no_grad():
        acc = (model(xs[test.to(device)]).argmax(1) == ys[test.to(device)]).float().mean().item()
    return elapsed * 1e3, acc


def mlp_step(device, steps=500):
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
    p.add_argument("--digits", default="Sources/SwiftTorch/Resources/digits.csv.gz")
    p.add_argument("--device", default="cpu")
    p.add_argument("--threads", type=int, default=0)
    a = p.parse_args()
    if a.threads:
        torch.set_num_threads(a.threads)
    ms, acc = digits(a.digits, a.device)
    print(json.dumps({"name": "digits-train", "backend": "pytorch-" + a.device, "value": ms, "unit": "ms", "accuracy": acc}))
    ms, acc = digits(a.digits, a.device, cnn, lr=0.05, image_shape=(1, 8, 8))
    print(json.dumps({"name": "digits-cnn-train", "backend": "pytorch-" + a.device, "value": ms, "unit": "ms", "accuracy": acc}))
    print(json.dumps({"name": "mlp-step", "backend": "pytorch-" + a.device, "value": mlp_step(a.device), "unit": "ms"}))
