"""Writes clip-grad.json, the gradient-clipping references ClipGradTests checks, from PyTorch
(run from this folder with torch installed):

    python3 make-clip-grad.py   # -> clip-grad.json

Each norm case gives parameters' gradients (`null` for a parameter without one), `max_norm`
and `norm_type` (a string: "2", "inf", ...), and what `torch.nn.utils.clip_grad_norm_`
returned (`total_norm`) and left in the gradients (`clipped`). Each value case gives
gradients, `clip_value` and the gradients after `clip_grad_value_`.
"""
import json
import torch

GRADS = [[[0.5, -1.5, 2.0], [3.0, -0.25, 1.0]], [4.0, -6.0], None, [[[0.1, 0.2], [-0.3, 0.4]]]]


def params(grads, dtype):
    out = []
    for g in grads:
        p = torch.zeros(torch.tensor(g if g is not None else [1.0]).shape, dtype=dtype, requires_grad=True)
        if g is not None:
            p.grad = torch.tensor(g, dtype=dtype)
        out.append(p)
    return out


def tensors(ps):
    return [None if p.grad is None else {"shape": list(p.grad.shape), "data": p.grad.flatten().tolist()} for p in ps]


norm_cases = []
for dtype, max_norm, norm_type in [("float32", 1.0, 2.0), ("float32", 100.0, 2.0), ("float32", 2.5, float("inf")),
                                   ("float32", 3.0, 1.0), ("float32", 1.5, 3.0), ("float64", 0.75, 2.0),
                                   ("float64", 4.0, float("-inf")), ("float32", 5.0, 0.0)]:
    ps = params(GRADS, getattr(torch, dtype))
    given = tensors(ps)
    total = torch.nn.utils.clip_grad_norm_(ps, max_norm=max_norm, norm_type=norm_type)
    norm_cases.append({"dtype": dtype, "grads": given, "max_norm": max_norm, "norm_type": str(norm_type).replace(".0", ""),
                       "total_norm": total.item(), "clipped": tensors(ps)})

value_cases = []
for clip_value in [0.0, 0.35, 2.5, 10.0]:
    ps = params(GRADS, torch.float32)
    given = tensors(ps)
    torch.nn.utils.clip_grad_value_(ps, clip_value=clip_value)
    value_cases.append({"grads": given, "clip_value": clip_value, "clipped": tensors(ps)})

with open("clip-grad.json", "w") as f:
    json.dump({"format": "swifttorch-clip-grad/1", "generator": f"PyTorch {torch.__version__}",
               "norm_cases": norm_cases, "value_cases": value_cases}, f, indent=0)
    f.write("\n")
