"""Writes the PyTorch references of NNModuleTests (run from this folder with torch installed):

    python3 make-nn-expected.py   # -> cnn.safetensors, nn-expected.json

cnn.safetensors is a small CNN (conv, batch norm, pooling, layer norm, linear) after three
training steps, so its running statistics are not the initial ones; nn-expected.json holds
its eval-mode logits on a fixed batch, and BatchNorm2d's running statistics after
training-mode calls with momentum 0.1 and with a cumulative average (momentum None).
Inputs are closed-form (sin/cos of the index), so the Swift test builds them exactly.
"""
import json, math, struct
import torch, torch.nn as nn

def wave(shape, a, b):
    n = math.prod(shape)
    return torch.tensor([math.sin(i * a) * (1 + (i % 5) * b) for i in range(n)], dtype=torch.float32).reshape(shape)

def save_safetensors(path, tensors):
    header, blobs, offset = {}, [], 0
    for name, t in tensors.items():
        data = t.detach().contiguous().numpy().tobytes()
        header[name] = {"dtype": {torch.float32: "F32", torch.int64: "I64"}[t.dtype], "shape": list(t.shape),
                        "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    encoded = json.dumps(header).encode()
    encoded += b" " * (-len(encoded) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(encoded)) + encoded + b"".join(blobs))

torch.manual_seed(0)
model = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(), nn.MaxPool2d(2),
                      nn.Conv2d(4, 8, 3), nn.ReLU(), nn.Flatten(), nn.LayerNorm(32), nn.Linear(32, 10))
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
for step in range(3):
    x = wave([5, 1, 8, 8], 0.3 + step * 0.1, 0.2)
    target = torch.tensor([(i + step) % 10 for i in range(5)])
    optimizer.zero_grad()
    nn.functional.cross_entropy(model(x), target).backward()
    optimizer.step()
model.eval()
batch = wave([3, 1, 8, 8], 0.17, 0.1)
with torch.no_grad():
    logits = model(batch)
save_safetensors("cnn.safetensors", model.state_dict())

bn = nn.BatchNorm2d(3)
x1, x2 = wave([4, 3, 2, 2], 0.37, 1.0), wave([2, 3, 3, 1], 0.11, 0.5)
train_out = bn(x1)
bn(x2)
bn.eval()
eval_out = bn(x1)
cumulative = nn.BatchNorm2d(3, momentum=None)
cumulative(x1); cumulative(x2)

json.dump({
    "cnn": {"keys": list(model.state_dict().keys()), "logits": logits.flatten().tolist()},
    "batch_norm": {
        "train_output": train_out.detach().flatten().tolist(),
        "running_mean": bn.running_mean.tolist(), "running_var": bn.running_var.tolist(),
        "num_batches_tracked": int(bn.num_batches_tracked), "eval_output": eval_out.detach().flatten().tolist(),
        "cumulative_mean": cumulative.running_mean.tolist(), "cumulative_var": cumulative.running_var.tolist(),
    },
}, open("nn-expected.json", "w"), indent=1)
