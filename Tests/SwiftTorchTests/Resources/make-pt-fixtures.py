#!/usr/bin/env python3
"""Writes the extra `.pt` fixtures in pt-extra/ with PyTorch (run from this folder):

    python3 make-pt-fixtures.py

Files (written by torch.save, zip format):
  batchnorm.pt   state dict of Sequential(Linear(4, 3), BatchNorm1d(3)) after two training
                 steps: running_mean, running_var, num_batches_tracked (a 0-d int64)
  adam.pt        {"model": state dict, "optimizer": Adam state dict after 3 steps}:
                 step (0-d float32), exp_avg, exp_avg_sq; betas is a tuple, foreach None
  tensors.pt     float64 views of one storage (transpose, stepped slice at an offset), int32,
                 0-d float and int tensors, an empty tensor, nested lists, tuples and dicts,
                 big and negative ints, special floats, strings, None and bools
  half.pt        a float16 tensor: SwiftTorch has no float16, so loading must say so
  refused.pt     a datetime.date: a global weights_only refuses, so loading must refuse it

pt-extra-expected.safetensors holds every tensor of every file under FILE/KEY (keys joined
by dots, as in state_dict()), and pt-extra-expected.json the non-tensor values.
"""
import datetime
import json
import math

import struct

import torch


def save_file(tensors, path):
    """A safetensors file (the `safetensors` package need not be installed): an 8-byte
    header length, the JSON header, then each tensor's bytes in row-major order."""
    names = {torch.float32: "F32", torch.float64: "F64", torch.int64: "I64", torch.int32: "I32", torch.bool: "BOOL"}
    header, blobs, at = {}, [], 0
    for key in sorted(tensors):
        t = tensors[key].contiguous()
        blob = t.numpy().tobytes() if t.numel() else b""
        header[key] = {"dtype": names[t.dtype], "shape": list(t.shape), "data_offsets": [at, at + len(blob)]}
        blobs.append(blob)
        at += len(blob)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(blobs))

torch.manual_seed(15)
out = "pt-extra/"
expected = {}
values = {}


def flatten(prefix, value):
    if isinstance(value, torch.Tensor):
        expected[prefix] = value.detach().clone().contiguous()
    elif isinstance(value, dict):
        for k, v in value.items():
            flatten(f"{prefix}.{k}", v)
    elif isinstance(value, (list, tuple)):
        for i, v in enumerate(value):
            flatten(f"{prefix}.{i}", v)


def save(name, value):
    torch.save(value, out + name)
    for k, v in value.items():
        flatten(f"{name}/{k}", v)


model = torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.BatchNorm1d(3))
model.train()
for _ in range(2):
    model(torch.randn(5, 4))
save("batchnorm.pt", model.state_dict())

mlp = torch.nn.Sequential(torch.nn.Linear(3, 2), torch.nn.Tanh(), torch.nn.Linear(2, 1))
adam = torch.optim.Adam(mlp.parameters(), lr=0.01, betas=(0.8, 0.95), eps=1e-7, weight_decay=0.001)
for _ in range(3):
    adam.zero_grad()
    mlp(torch.randn(4, 3)).pow(2).mean().backward()
    adam.step()
save("adam.pt", {"model": mlp.state_dict(), "optimizer": adam.state_dict()})

base = torch.arange(24, dtype=torch.float64).reshape(4, 6) / 7
tensors = {
    "base64": base,
    "transposed64": base.t(),
    "stepped64": base[1:, 1::2],
    "int32": torch.tensor([-2147483648, -1, 0, 7, 2147483647], dtype=torch.int32),
    "scalar": torch.tensor(2.5),
    "scalar_int": torch.tensor(-9, dtype=torch.int64),
    "empty": torch.zeros(0, 3),
    "nested": {"list": [1, -2, 2**40, -(2**62)], "tuple": (0.5, float("inf"), float("-inf")), "deep": {"x": [[True, None]]}},
    "text": "ünïcode ✓",
}
save("tensors.pt", tensors)
values["tensors.pt"] = {"nested.list": [1, -2, 2**40, -(2**62)], "nested.tuple": [0.5, "inf", "-inf"], "text": "ünïcode ✓"}

torch.save({"half": torch.ones(2, dtype=torch.float16)}, out + "half.pt")
torch.save({"when": datetime.date(2024, 1, 1)}, out + "refused.pt")

save_file(expected, out + "pt-extra-expected.safetensors")
with open(out + "pt-extra-expected.json", "w") as f:
    json.dump({"generator": "make-pt-fixtures.py, PyTorch " + torch.__version__, "values": values,
               "tensors": {k: {"dtype": str(v.dtype), "shape": list(v.shape)} for k, v in expected.items()}},
              f, indent=1, ensure_ascii=False)
print(f"wrote {len(expected)} tensors")
