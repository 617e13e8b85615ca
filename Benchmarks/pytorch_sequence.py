#!/usr/bin/env python3
"""The sequence-model training steps in PyTorch, twins of SwiftTorch's `lstm-step`,
`gru-step` and `transformer-step` workloads (Sources/SwiftTorch/Benchmarks/SequenceWorkloads.swift).

  lstm-step         nn.LSTM(64, 128, num_layers=2, batch_first=True) over a fixed random batch
                    [64, 32, 64], a linear head 128->10 on the last layer's final hidden state,
                    CrossEntropyLoss, SGD lr 0.01 momentum 0.9
  gru-step          the same with nn.GRU
  transformer-step  char-transformer's model (Examples/CharTransformer): embeddings of 96
                    characters and 64 positions (d_model 64), nn.TransformerEncoder of 2 pre-norm
                    GELU layers (4 heads, feed-forward 256, dropout 0.1) with a final LayerNorm and
                    the causal mask, a linear head; a fixed random batch of 32 windows of 64;
                    CrossEntropyLoss, Adam lr 3e-3

Each returns the step (zero_grad, forward, loss, backward, step) to time; compare.py imports
them. Run alone, it prints JSON lines {"name", "backend": "pytorch-cpu", "value", "unit": "ms"},
best of 5 runs of 20 steps after 5 warm-up steps:

    python3 Benchmarks/pytorch_sequence.py [--threads N]
"""
import argparse, json, time

import torch
from torch import nn


def recurrent_step_call(kind):
    torch.manual_seed(0)
    network, head = kind(64, 128, num_layers=2, batch_first=True), nn.Linear(128, 10)
    opt = torch.optim.SGD(list(network.parameters()) + list(head.parameters()), lr=0.01, momentum=0.9)
    loss_fn = nn.CrossEntropyLoss()
    x, y = torch.randn(64, 32, 64), torch.randint(0, 10, (64,))

    def step():
        opt.zero_grad()
        _, state = network(x)
        h = state[0] if isinstance(state, tuple) else state  # LSTM: (h, c); GRU: h
        loss_fn(head(h[1]), y).backward()
        opt.step()
    return step


class CharTransformer(nn.Module):
    """SwiftTorch's CharTransformer (Sources/SwiftTorch/Benchmarks/CharTransformer.swift)."""
    def __init__(self, vocabulary, context=64, d_model=64, nhead=4, layers=2, feedforward=256, dropout=0.1):
        super().__init__()
        self.token_embedding = nn.Embedding(vocabulary, d_model)
        self.position_embedding = nn.Embedding(context, d_model)
        layer = nn.TransformerEncoderLayer(d_model, nhead, feedforward, dropout, activation="gelu", batch_first=True,
                                           norm_first=True)
        self.encoder = nn.TransformerEncoder(layer, layers, norm=nn.LayerNorm(d_model), enable_nested_tensor=False)
        self.head = nn.Linear(d_model, vocabulary)

    def forward(self, tokens):
        length = tokens.shape[1]
        x = self.token_embedding(tokens) + self.position_embedding(torch.arange(length))
        mask = nn.Transformer.generate_square_subsequent_mask(length)
        return self.head(self.encoder(x, mask=mask, is_causal=True))


def transformer_step_call():
    torch.manual_seed(0)
    model = CharTransformer(96)
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    x, y = torch.randint(0, 96, (32, 64)), torch.randint(0, 96, (32, 64))

    def step():
        opt.zero_grad()
        nn.functional.cross_entropy(model(x).reshape(-1, 96), y.reshape(-1)).backward()
        opt.step()
    return step


STEPS = {"lstm-step": lambda: recurrent_step_call(nn.LSTM), "gru-step": lambda: recurrent_step_call(nn.GRU),
         "transformer-step": transformer_step_call}


def best_ms(step, steps=20):
    for _ in range(5):
        step()
    best = float("inf")
    for _ in range(5):
        start = time.perf_counter()
        for _ in range(steps):
            step()
        best = min(best, (time.perf_counter() - start) / steps)
    return best * 1e3


if __name__ == "__main__":
    p = argparse.ArgumentParser()
    p.add_argument("--threads", type=int, default=0)
    a = p.parse_args()
    if a.threads:
        torch.set_num_threads(a.threads)
    for name, make in STEPS.items():
        print(json.dumps({"name": name, "backend": "pytorch-cpu", "value": best_ms(make()), "unit": "ms"}))
