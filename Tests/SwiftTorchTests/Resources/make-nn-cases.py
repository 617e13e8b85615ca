"""Writes nn-cases.json: conformance cases for the nn-functional operators beyond those in
the shared pytorch-cases.json (non-contiguous views with NaN in the unread slots, empty
batches, unbatched and 0-d inputs, NaN and infinities, float64, every optional argument,
and errors). Same format (../../../../shared/conformance/FORMAT.md); values are PyTorch's,
computed in float64 and rounded to each case's dtype, as the shared file's are.

    python3 make-nn-cases.py   # run from this folder, with torch installed
"""
import json, math
import torch
import torch.nn.functional as F

torch.manual_seed(2026)
DT = {torch.float32: "float32", torch.float64: "float64", torch.int64: "int64", torch.int32: "int32"}


def number(v):
    if isinstance(v, bool):
        return v
    if isinstance(v, float):
        if math.isnan(v): return "nan"
        if math.isinf(v): return "inf" if v > 0 else "-inf"
    return v


def tensor_json(t):
    return {"dtype": DT[t.dtype], "shape": list(t.shape), "data": [number(v) for v in t.flatten().tolist()]}


class View:
    """A strided view over a storage whose unread slots hold NaN (or -1 for integers)."""
    def __init__(self, storage, shape, strides, offset=0):
        self.storage, self.shape, self.strides, self.offset = storage, shape, strides, offset
    def tensor(self):
        return self.storage.as_strided(self.shape, self.strides, self.offset)
    def json(self):
        return {"dtype": DT[self.storage.dtype], "shape": self.shape, "strides": self.strides, "offset": self.offset,
                "storage": [number(v) for v in self.storage.tolist()]}


def channels_last_with_gaps(shape, dtype=torch.float32):
    """An [N, C, H, W] view of an NHWC storage with one extra, NaN-filled channel per pixel."""
    n, c, h, w = shape
    storage = torch.randn(n, h, w, c + 1, dtype=dtype)
    storage[..., c] = float("nan")
    return View(storage.flatten(), [n, c, h, w], [h * w * (c + 1), 1, w * (c + 1), c + 1])


def transposed_with_gaps(rows, cols, dtype=torch.float32):
    """A [rows, cols] view reading every other element of a column-major storage."""
    storage = torch.full((2 * rows * cols,), float("nan"), dtype=dtype)
    storage[0::2] = torch.randn(rows * cols, dtype=dtype)
    return View(storage, [rows, cols], [2, 2 * rows])


cases = []


def case(cid, op, fn, inputs, args=None, grad=True, tags=(), tol=None):
    """Runs `fn` on float64 copies of the inputs (tensors, Views or None) and records the case."""
    def materialise(x):
        if x is None: return None
        t = x.tensor() if isinstance(x, View) else x
        return t.detach().to(torch.float64).requires_grad_(grad) if t.dtype.is_floating_point else t
    leaves = [materialise(x) for x in inputs]
    out = fn(*leaves)
    dtype = next(x.storage.dtype if isinstance(x, View) else x.dtype for x in inputs if x is not None
                 and (x.storage if isinstance(x, View) else x).dtype.is_floating_point) if any(
        x is not None and (x.storage if isinstance(x, View) else x).dtype.is_floating_point for x in inputs) else None
    rounded = out.detach().to(dtype) if out.dtype.is_floating_point and dtype else out.detach()
    c = {"id": f"{op}/{cid}", "op": op,
         "inputs": [None if x is None else (x.json() if isinstance(x, View) else tensor_json(x)) for x in inputs],
         "args": args or {}, "expected": [tensor_json(rounded)], "tags": list(tags)}
    if tol:
        c["rtol"], c["atol"] = tol, tol
    if grad and out.dtype.is_floating_point:
        seed = torch.randn(out.shape, dtype=torch.float64).to(dtype)
        out.backward(seed.to(torch.float64))
        c["grad"] = {"output_grad": tensor_json(seed),
                     "inputs": [tensor_json(l.grad.to(dtype)) if l is not None and l.dtype.is_floating_point and l.grad is not None
                                else (tensor_json(torch.zeros(l.shape, dtype=dtype)) if l is not None and l.dtype.is_floating_point else None)
                                for l in leaves]}
    cases.append(c)


def error(cid, op, inputs, args, why):
    cases.append({"id": f"{op}/{cid}", "op": op, "inputs": [None if x is None else tensor_json(x) for x in inputs],
                  "args": args, "error": True, "why": why, "tags": ["error"]})


r = torch.randn
T = 1e-4  # sums of products: float32 rounding, as the shared file's nn cases

# conv2d
case("noncontig-nan-gaps", "conv2d", lambda x, w, b: F.conv2d(x, w, b, padding=1),
     [channels_last_with_gaps([2, 3, 6, 5]), r(4, 3, 3, 3), r(4)], {"padding": [1, 1]}, tags=["noncontiguous"], tol=T)
case("weight-view", "conv2d", lambda x, w: F.conv2d(x, w, stride=2),
     [r(1, 2, 7, 7), View(r(3 * 3 * 2 * 4), [4, 2, 3, 3], [1, 36, 12, 4])], {"stride": [2, 2]}, tags=["noncontiguous"], tol=T)
case("empty-batch", "conv2d", lambda x, w, b: F.conv2d(x, w, b), [r(0, 3, 5, 5), r(2, 3, 3, 3), r(2)], tags=["empty"], tol=T)
case("unbatched", "conv2d", lambda x, w: F.conv2d(x, w, padding=(0, 1)), [r(2, 5, 4), r(3, 2, 2, 3)], {"padding": [0, 1]}, tol=T)
specials = r(1, 1, 4, 4)
specials[0, 0, 0, 0], specials[0, 0, 1, 3], specials[0, 0, 3, 1] = float("inf"), float("nan"), float("-inf")
case("specials", "conv2d", lambda x, w: F.conv2d(x, w), [specials, r(2, 1, 2, 2)], grad=False, tags=["specials"], tol=T)
case("float64-all-args", "conv2d", lambda x, w, b: F.conv2d(x, w, b, stride=(2, 1), padding=(1, 2), dilation=(1, 2), groups=3),
     [r(2, 6, 9, 8, dtype=torch.float64), r(6, 2, 3, 2, dtype=torch.float64), r(6, dtype=torch.float64)],
     {"stride": [2, 1], "padding": [1, 2], "dilation": [1, 2], "groups": 3})
error("groups-indivisible", "conv2d", [r(1, 4, 5, 5), r(3, 2, 3, 3)], {"groups": 2}, "out_channels not divisible by groups")
error("kernel-too-large", "conv2d", [r(1, 1, 2, 2), r(1, 1, 3, 3)], {}, "kernel larger than the padded input")
error("2d-input", "conv2d", [r(5, 5), r(1, 1, 3, 3)], {}, "input must be 3-D or 4-D")
error("dtype-mismatch", "conv2d", [r(1, 1, 5, 5), r(1, 1, 3, 3, dtype=torch.float64)], {}, "input and weight dtypes differ")

# max_pool2d
case("noncontig-nan-gaps", "max_pool2d", lambda x: F.max_pool2d(x, 2), [channels_last_with_gaps([2, 3, 6, 6])],
     {"kernel_size": [2, 2]}, tags=["noncontiguous"])
case("ceil-dilation", "max_pool2d", lambda x: F.max_pool2d(x, 3, stride=2, padding=1, dilation=(1, 2), ceil_mode=True),
     [r(1, 2, 8, 9)], {"kernel_size": [3, 3], "stride": [2, 2], "padding": [1, 1], "dilation": [1, 2], "ceil_mode": True})
pool_specials = r(1, 1, 4, 4)
pool_specials[0, 0, 0, 1], pool_specials[0, 0, 2, 2], pool_specials[0, 0, 3, 0] = float("nan"), float("inf"), float("-inf")
case("specials", "max_pool2d", lambda x: F.max_pool2d(x, 2, stride=1), [pool_specials], {"kernel_size": [2, 2], "stride": [1, 1]},
     grad=False, tags=["specials"])
two_nans = r(1, 1, 2, 4)
two_nans[0, 0, 0, 1], two_nans[0, 0, 1, 0] = float("nan"), float("nan")  # PyTorch reports the last NaN
case("two-nans-in-window", "max_pool2d", lambda x: F.max_pool2d(x, 2), [two_nans], {"kernel_size": [2, 2]},
     tags=["specials"])
case("empty-batch", "max_pool2d", lambda x: F.max_pool2d(x, 2), [r(0, 2, 4, 4)], {"kernel_size": [2, 2]}, tags=["empty"])
case("unbatched-float64", "max_pool2d", lambda x: F.max_pool2d(x, (2, 3)), [r(3, 6, 7, dtype=torch.float64)], {"kernel_size": [2, 3]})
error("padding-too-large", "max_pool2d", [r(1, 1, 5, 5)], {"kernel_size": [2, 2], "padding": [2, 2]}, "padding above half the kernel")
error("2d-input", "max_pool2d", [r(5, 5)], {"kernel_size": [2, 2]}, "input must be 3-D or 4-D")

# avg_pool2d
case("exclude-pad-ceil", "avg_pool2d", lambda x: F.avg_pool2d(x, 3, stride=2, padding=1, ceil_mode=True, count_include_pad=False),
     [r(2, 2, 7, 8)], {"kernel_size": [3, 3], "stride": [2, 2], "padding": [1, 1], "ceil_mode": True, "count_include_pad": False})
case("divisor-override", "avg_pool2d", lambda x: F.avg_pool2d(x, 2, padding=1, divisor_override=3),
     [r(1, 3, 5, 5)], {"kernel_size": [2, 2], "padding": [1, 1], "divisor_override": 3})
case("noncontig-nan-gaps", "avg_pool2d", lambda x: F.avg_pool2d(x, 2), [channels_last_with_gaps([2, 3, 6, 4])],
     {"kernel_size": [2, 2]}, tags=["noncontiguous"])
case("specials", "avg_pool2d", lambda x: F.avg_pool2d(x, 2), [pool_specials], {"kernel_size": [2, 2]}, grad=False, tags=["specials"])
case("empty-batch", "avg_pool2d", lambda x: F.avg_pool2d(x, 2), [r(0, 2, 4, 4)], {"kernel_size": [2, 2]}, tags=["empty"])
case("unbatched-float64", "avg_pool2d", lambda x: F.avg_pool2d(x, 2, stride=1), [r(2, 5, 5, dtype=torch.float64)],
     {"kernel_size": [2, 2], "stride": [1, 1]})

# layer_norm
case("noncontig-nan-gaps", "layer_norm", lambda x, w, b: F.layer_norm(x, [5], w, b), [transposed_with_gaps(4, 5), r(5), r(5)],
     {"normalized_shape": [5]}, tags=["noncontiguous"], tol=T)
case("no-affine-float64", "layer_norm", lambda x: F.layer_norm(x, [3, 4]), [r(2, 3, 4, dtype=torch.float64)], {"normalized_shape": [3, 4]})
ln_specials = r(3, 4)
ln_specials[0, 1], ln_specials[2, 3] = float("inf"), float("nan")
case("specials", "layer_norm", lambda x: F.layer_norm(x, [4]), [ln_specials], {"normalized_shape": [4]}, grad=False, tags=["specials"])
case("empty", "layer_norm", lambda x, w, b: F.layer_norm(x, [4], w, b), [r(0, 4), r(4), r(4)], {"normalized_shape": [4]}, tags=["empty"])
error("shape-mismatch", "layer_norm", [r(2, 5)], {"normalized_shape": [4]}, "normalized_shape is not the input's trailing shape")

# batch_norm (F.batch_norm's order: input, running_mean, running_var, weight, bias)
case("train-2d-float64", "batch_norm", lambda x, m, v, w, b: F.batch_norm(x, m.detach().clone(), v.detach().clone(), w, b, training=True, momentum=0.3),
     [r(6, 4, dtype=torch.float64), r(4, dtype=torch.float64), r(4, dtype=torch.float64).abs() + 0.5,
      r(4, dtype=torch.float64), r(4, dtype=torch.float64)], {"training": True, "momentum": 0.3, "eps": 1e-5})
def bn_eval(x, m, v, w, b, eps=1e-3):
    """F.batch_norm in evaluation, written out: PyTorch refuses gradients for the running
    statistics, which SwiftTorch gives (they are plain inputs of this formula)."""
    shape = [1, -1] + [1] * (x.dim() - 2)
    reference = F.batch_norm(x.detach(), m.detach(), v.detach(), w.detach(), b.detach(), training=False, eps=eps)
    out = (x - m.view(shape)) / torch.sqrt(v.view(shape) + eps) * w.view(shape) + b.view(shape)
    assert torch.allclose(out, reference)
    return out


case("eval-noncontig", "batch_norm", bn_eval,
     [channels_last_with_gaps([2, 3, 4, 4]), r(3), r(3).abs() + 0.5, r(3), r(3)], {"training": False, "eps": 1e-3},
     tags=["noncontiguous"], tol=T)
case("train-no-affine", "batch_norm", lambda x, m, v: F.batch_norm(x, m.detach().clone(), v.detach().clone(), training=True),
     [r(3, 2, 5), r(2), r(2).abs() + 0.5], {"training": True}, tol=T)
bn_specials = r(4, 2)
bn_specials[1, 0] = float("nan")
case("eval-specials", "batch_norm", lambda x, m, v: F.batch_norm(x, m, v, training=False), [bn_specials, r(2), r(2).abs() + 0.5],
     {"training": False}, grad=False, tags=["specials"])
error("eval-without-running-stats", "batch_norm", [r(4, 3), None, None], {"training": False}, "evaluation needs running statistics")
error("one-value-per-channel", "batch_norm", [r(1, 3), r(3), r(3)], {"training": True}, "training needs more than one value per channel")

# embedding (inputs: indices, weight)
idx = lambda *v: torch.tensor(v, dtype=torch.int64)
case("0d-index", "embedding", lambda i, w: F.embedding(i, w), [torch.tensor(3), r(5, 4)], tags=["0d"])
case("empty", "embedding", lambda i, w: F.embedding(i, w), [torch.zeros(0, 2, dtype=torch.int64), r(5, 3)], tags=["empty"])
case("weight-view", "embedding", lambda i, w: F.embedding(i, w), [idx(4, 0, 4, 2), transposed_with_gaps(6, 3)], tags=["noncontiguous"])
case("padding-idx", "embedding", lambda i, w: F.embedding(i, w, padding_idx=2), [idx(2, 0, 2, 4, 1), r(5, 3)], {"padding_idx": 2})
case("int32-float64", "embedding", lambda i, w: F.embedding(i, w), [idx(1, 3).to(torch.int32), r(4, 2, dtype=torch.float64)])
error("negative-index", "embedding", [idx(-1), r(5, 3)], {}, "index out of range")

# one_hot
case("0d", "one_hot", lambda x: F.one_hot(x, 3), [torch.tensor(2)], {"num_classes": 3}, tags=["0d"])
case("empty", "one_hot", lambda x: F.one_hot(x, 4), [torch.zeros(0, dtype=torch.int64)], {"num_classes": 4}, tags=["empty"])
case("inferred-2d", "one_hot", lambda x: F.one_hot(x), [idx(0, 5, 2, 1, 3, 0).reshape(2, 3)])
error("negative-class", "one_hot", [idx(1, -1)], {"num_classes": 3}, "class values must be non-negative")
error("class-too-large", "one_hot", [idx(1, 3)], {"num_classes": 3}, "class values must be below num_classes")
error("float-input", "one_hot", [r(3)], {}, "one_hot takes int64 class indices")

# dropout: p = 1 and evaluation are deterministic, so PyTorch's values can be compared.
drop_specials = torch.tensor([1.0, float("nan"), float("inf"), -2.0])
case("p1", "dropout", lambda x: F.dropout(x, 1.0, True), [r(3, 4)], {"p": 1.0, "training": True})
case("eval-specials", "dropout", lambda x: F.dropout(x, 0.3, False), [drop_specials], {"p": 0.3, "training": False}, grad=False, tags=["specials"])
case("eval-0d-float64", "dropout", lambda x: F.dropout(x, 0.5, False), [r((), dtype=torch.float64)], {"p": 0.5, "training": False}, tags=["0d"])
case("eval-noncontig", "dropout", lambda x: F.dropout(x, 0.5, False), [transposed_with_gaps(3, 4)], {"p": 0.5, "training": False}, tags=["noncontiguous"])
case("empty", "dropout", lambda x: F.dropout(x, 0.5, True), [r(0, 3)], {"p": 0.5, "training": True}, tags=["empty"])
error("p-above-1", "dropout", [r(3)], {"p": 1.5}, "probability outside [0, 1]")

json.dump({"format": "swifttorch-conformance/1",
           "generator": f"PyTorch {torch.__version__}, CPU; Tests/SwiftTorchTests/Resources/make-nn-cases.py; float64 reference rounded to each case's dtype",
           "cases": cases}, open("nn-cases.json", "w"))
print(len(cases), "cases")
