"""Writes sequence-op-cases.json: SwiftTorch's own conformance cases for the sequence-model
operators of issue 13, beyond the shared sequence-cases.json: broadcasting, non-contiguous
views (NaN in the slots a view skips), empty and 0-d inputs, NaN and infinities, float64,
integer inputs where PyTorch takes them, and errors. Same format
(../../../../shared/conformance/FORMAT.md); values are PyTorch's, computed in float64 and
rounded to each case's dtype, as the shared files' are.

    python3 make-sequence-op-cases.py   # run from this folder, with torch installed
"""
import json, math
import torch
import torch.nn.functional as F

torch.manual_seed(1313)
NAMES = {torch.float32: "float32", torch.float64: "float64", torch.int64: "int64", torch.bool: "bool"}


def scalar(v):
    if isinstance(v, float) and (math.isnan(v) or math.isinf(v)):
        return "nan" if math.isnan(v) else ("inf" if v > 0 else "-inf")
    return v


def encode(t):
    return {"dtype": NAMES[t.dtype], "shape": list(t.shape), "data": [scalar(v) for v in t.flatten().tolist()]}


class Expanded:
    """A [copies, *shape] view repeating one stored matrix: batch stride 0."""
    def __init__(self, copies, shape, dtype=torch.float32):
        self.storage = torch.randn(math.prod(shape), dtype=dtype)
        inner = [math.prod(shape[i + 1:]) for i in range(len(shape))]
        self.shape, self.strides = [copies] + list(shape), [0] + inner

    def tensor(self):
        return self.storage.as_strided(self.shape, self.strides, 0)

    def encode(self):
        return {"dtype": NAMES[self.storage.dtype], "shape": self.shape, "strides": self.strides, "offset": 0,
                "storage": [scalar(v) for v in self.storage.tolist()]}


class Gapped:
    """A transposed view of `shape` reading every other slot of its storage; the skipped
    slots hold NaN (False for bool), so a kernel that ignores strides is caught."""
    def __init__(self, shape, dtype=torch.float32, values=None):
        n = math.prod(shape)
        fill = False if dtype == torch.bool else float("nan")
        self.storage = torch.full((2 * n,), fill, dtype=dtype)
        self.storage[0::2] = values.flatten().to(dtype) if values is not None else (
            torch.randn(n) > 0 if dtype == torch.bool else torch.randn(n, dtype=dtype))
        # Column-major over the given shape, doubled: strides of a transposed, stepped view.
        strides, step = [], 2
        for size in shape:
            strides.append(step)
            step *= size
        self.shape, self.strides = list(shape), strides

    def tensor(self):
        return self.storage.as_strided(self.shape, self.strides, 0)

    def encode(self):
        return {"dtype": NAMES[self.storage.dtype], "shape": self.shape, "strides": self.strides, "offset": 0,
                "storage": [scalar(v) for v in self.storage.tolist()]}


cases = []


def leaf(x):
    if x is None:
        return None
    if isinstance(x, list):
        return [leaf(t) for t in x]
    t = x.tensor() if isinstance(x, (Gapped, Expanded)) else x
    return t.detach().to(torch.float64).requires_grad_() if t.dtype.is_floating_point else t


def encode_input(x):
    if x is None:
        return None
    if isinstance(x, list):
        return [encode_input(t) for t in x]
    return x.encode() if isinstance(x, (Gapped, Expanded)) else encode(x)


def case_dtype(inputs):
    for x in inputs:
        for t in (x if isinstance(x, list) else [x]):
            d = t.storage.dtype if isinstance(t, (Gapped, Expanded)) else (t.dtype if t is not None else None)
            if d is not None and d.is_floating_point:
                return d
    return None


def case(cid, op, fn, inputs, args=None, grad=True, tags=(), tol=None):
    """Runs `fn` on float64 leaves of `inputs` and records outputs and, unless `grad` is
    False, the gradients of sum(output0 * seed)."""
    leaves = [leaf(x) for x in inputs]
    outs = fn(*leaves)
    outs = list(outs) if isinstance(outs, (tuple, list)) else [outs]
    dtype = case_dtype(inputs)
    rounded = [o.detach().to(dtype) if o.dtype.is_floating_point and dtype else o.detach() for o in outs]
    c = {"id": f"{op}/{cid}", "op": op, "inputs": [encode_input(x) for x in inputs], "args": args or {},
         "expected": [encode(o) for o in rounded], "tags": list(tags)}
    if tol:
        c["rtol"], c["atol"] = tol, tol
    if grad and outs[0].dtype.is_floating_point:
        seed = torch.randn(outs[0].shape, dtype=torch.float64).to(dtype)
        outs[0].backward(seed.to(torch.float64))

        def gradient(l):
            if isinstance(l, list):
                return [gradient(t) for t in l]
            if l is None or not l.dtype.is_floating_point:
                return None
            return encode((l.grad if l.grad is not None else torch.zeros_like(l)).to(dtype))
        c["grad"] = {"output_grad": encode(seed), "inputs": [gradient(l) for l in leaves]}
    cases.append(c)


def error(cid, op, inputs, args, why):
    cases.append({"id": f"{op}/{cid}", "op": op, "inputs": [encode_input(x) for x in inputs], "args": args,
                  "error": True, "why": why, "tags": ["error"]})


r = torch.randn
f64 = torch.float64
bools = lambda *shape: torch.randn(*shape) > 0
T = 1e-4  # sums of products in float32


def with_specials(t, *positions):
    t = t.clone()
    for p, v in zip(positions, [float("nan"), float("inf"), float("-inf")]):
        t.view(-1)[p] = v
    return t


# masked_fill (inputs: self, mask[, value as a 0-d tensor])
case("broadcast-both", "masked_fill", lambda x, m: x.masked_fill(m, 2.0), [r(3, 1, 5), bools(4, 1)], {"value": 2.0}, tags=["broadcast"])
case("tensor-value", "masked_fill", lambda x, m, v: x.masked_fill(m, v), [r(2, 5), bools(5), r(())], tags=["0d", "broadcast"])
case("noncontig-nan-gaps", "masked_fill", lambda x, m: x.masked_fill(m, -1.0), [Gapped([4, 6]), Gapped([4, 6], torch.bool)],
     {"value": -1.0}, tags=["noncontiguous"])
case("0d", "masked_fill", lambda x, m: x.masked_fill(m, 7.0), [r(()), torch.tensor(True)], {"value": 7.0}, tags=["0d"])
case("empty", "masked_fill", lambda x, m: x.masked_fill(m, 1.0), [r(0, 3), bools(3)], {"value": 1.0}, tags=["empty"])
case("specials", "masked_fill", lambda x, m, v: x.masked_fill(m, v), [with_specials(r(8), 1, 4, 6), bools(8), torch.tensor(float("inf"))],
     grad=False, tags=["specials"])
case("float64", "masked_fill", lambda x, m: x.masked_fill(m, -0.5), [r(3, 4, dtype=f64), bools(3, 4)], {"value": -0.5})
case("int64-truncates", "masked_fill", lambda x, m: x.masked_fill(m, 1.5), [torch.arange(6).reshape(2, 3), bools(2, 3)], {"value": 1.5})
error("float-mask", "masked_fill", [r(3), r(3)], {"value": 1.0}, "the mask must be bool")
error("1d-value", "masked_fill", [r(3), bools(3), r(1)], {}, "value must be a number or a 0-d tensor")
error("not-broadcastable", "masked_fill", [r(3, 4), bools(3)], {"value": 1.0}, "self and mask do not broadcast")

# tril / triu
for op, fn in [("tril", torch.tril), ("triu", torch.triu)]:
    case("noncontig-nan-gaps", op, lambda x, fn=fn: fn(x, 1), [Gapped([5, 4])], {"diagonal": 1}, tags=["noncontiguous"])
    case("expanded-batch", op, lambda x, fn=fn: fn(x, -1), [Expanded(3, [4, 4])], {"diagonal": -1}, tags=["broadcast", "noncontiguous"])
    case("empty", op, lambda x, fn=fn: fn(x), [r(2, 0, 3)], {"diagonal": 0}, tags=["empty"])
    case("specials", op, lambda x, fn=fn: fn(x), [with_specials(r(4, 4), 1, 8, 15)], {"diagonal": 0}, grad=False, tags=["specials"])
    case("beyond-the-matrix", op, lambda x, fn=fn: fn(x, 10), [r(3, 4, dtype=f64)], {"diagonal": 10})
    case("below-the-matrix", op, lambda x, fn=fn: fn(x, -10), [r(3, 4, dtype=f64)], {"diagonal": -10})
    case("int64", op, lambda x, fn=fn: fn(x, 1), [torch.arange(1, 13).reshape(3, 4)], {"diagonal": 1})
    error("1d", op, [r(5)], {"diagonal": 0}, "input must have at least 2 dimensions")

# leaky_relu / elu
slopes = [("leaky_relu", lambda x: F.leaky_relu(x, 0.2), {"negative_slope": 0.2}),
          ("elu", lambda x: F.elu(x, 1.5), {"alpha": 1.5})]
for op, fn, args in slopes:
    case("noncontig-nan-gaps", op, fn, [Gapped([3, 5])], args, tags=["noncontiguous"])
    case("0d", op, fn, [torch.tensor(-0.75)], args, tags=["0d"])
    case("empty", op, fn, [r(0, 4)], args, tags=["empty"])
    case("specials", op, fn, [torch.tensor([float("nan"), float("inf"), float("-inf"), -0.0, 0.0, -1e30, 1e30])], args,
         grad=False, tags=["specials"])
    error("int64", op, [torch.arange(4)], args, "integer inputs are not supported")
case("float64-negative-slope", "leaky_relu", lambda x: F.leaky_relu(x, -1.5), [r(4, 3, dtype=f64)], {"negative_slope": -1.5})
case("selu-scales", "elu", lambda x: torch.ops.aten.elu(x, 1.6732632423543772, 1.0507009873554805, 2.0),
     [r(4, 3, dtype=f64)], {"alpha": 1.6732632423543772, "scale": 1.0507009873554805, "input_scale": 2.0})

# split / split_with_sizes / chunk (several outputs; gradients through output 0)
case("noncontig-nan-gaps", "split", lambda x: x.split(2, 1), [Gapped([3, 5])], {"split_size": 2, "dim": 1}, tags=["noncontiguous"])
case("negative-dim-larger-size", "split", lambda x: x.split(9, -1), [r(2, 4)], {"split_size": 9, "dim": -1})
case("empty", "split", lambda x: x.split(2, 0), [r(0, 3)], {"split_size": 2, "dim": 0}, tags=["empty"])
case("specials", "split", lambda x: x.split(3), [with_specials(r(7), 0, 3, 6)], {"split_size": 3}, grad=False, tags=["specials"])
error("zero-size", "split", [r(5)], {"split_size": 0}, "split_size 0 needs an empty dimension")
error("0d", "split", [r(())], {"split_size": 1}, "split needs at least 1 dimension")
case("sizes", "split_with_sizes", lambda x: x.split_with_sizes([1, 0, 3], 1), [r(2, 4)], {"split_sizes": [1, 0, 3], "dim": 1})
case("noncontig-nan-gaps", "split_with_sizes", lambda x: x.split_with_sizes([2, 3], 0), [Gapped([5, 2])], {"split_sizes": [2, 3]},
     tags=["noncontiguous"])
case("empty", "split_with_sizes", lambda x: x.split_with_sizes([0, 0], 1), [r(3, 0)], {"split_sizes": [0, 0], "dim": 1}, tags=["empty"])
case("specials", "split_with_sizes", lambda x: x.split_with_sizes([1, 2], 0), [with_specials(r(3), 0, 1, 2)], {"split_sizes": [1, 2]},
     grad=False, tags=["specials"])
error("wrong-sum", "split_with_sizes", [r(5)], {"split_sizes": [2, 2]}, "split_sizes must sum to the dimension's size")
error("negative-size", "split_with_sizes", [r(5)], {"split_sizes": [6, -1]}, "split_sizes must be non-negative")
case("more-chunks-than-elements", "chunk", lambda x: x.chunk(7), [r(5, 2)], {"chunks": 7})
case("noncontig-nan-gaps", "chunk", lambda x: x.chunk(2, 1), [Gapped([4, 5])], {"chunks": 2, "dim": 1}, tags=["noncontiguous"])
case("empty", "chunk", lambda x: x.chunk(3), [r(0, 2)], {"chunks": 3}, tags=["empty"])
case("specials", "chunk", lambda x: x.chunk(2), [with_specials(r(4), 0, 1, 3)], {"chunks": 2}, grad=False, tags=["specials"])
error("zero-chunks", "chunk", [r(5)], {"chunks": 0}, "chunks must be positive")
error("0d", "chunk", [r(())], {"chunks": 1}, "chunk needs at least 1 dimension")

# scaled_dot_product_attention (inputs: query, key, value[, attn_mask])
sdpa = F.scaled_dot_product_attention
rows_masked = torch.tensor([[True, False, True, True, False, True], [False] * 6, [True] * 6])
case("bool-mask-fully-masked-row", "scaled_dot_product_attention", lambda q, k, v, m: sdpa(q, k, v, attn_mask=m),
     [r(2, 3, 4), r(2, 6, 4), r(2, 6, 5), rows_masked], tags=["broadcast"], tol=T)
float_mask = torch.zeros(2, 1, 3, 6)
float_mask[0, 0, 1] = float("-inf")
float_mask[1, 0, 2, :4] = float("-inf")
case("float-mask-with-inf", "scaled_dot_product_attention", lambda q, k, v, m: sdpa(q, k, v, attn_mask=m),
     [r(2, 2, 3, 4), r(2, 2, 6, 4), r(2, 2, 6, 4), float_mask], tags=["broadcast", "specials"], tol=T)
case("batch-broadcast", "scaled_dot_product_attention", lambda q, k, v: sdpa(q, k, v), [r(3, 2, 5, 4), r(1, 2, 6, 4), r(2, 6, 3)],
     tags=["broadcast"], tol=T)
case("noncontig-nan-gaps", "scaled_dot_product_attention", lambda q, k, v: sdpa(q, k, v, is_causal=True),
     [Gapped([2, 5, 4]), Gapped([2, 7, 4]), r(2, 7, 3)], {"is_causal": True}, tags=["noncontiguous"], tol=T)
case("causal-fewer-keys", "scaled_dot_product_attention", lambda q, k, v: sdpa(q, k, v, is_causal=True),
     [r(6, 4), r(3, 4), r(3, 2)], {"is_causal": True}, tol=T)
case("empty-queries", "scaled_dot_product_attention", lambda q, k, v: sdpa(q, k, v), [r(2, 0, 4), r(2, 5, 4), r(2, 5, 3)], tags=["empty"])
case("empty-keys", "scaled_dot_product_attention", lambda q, k, v: sdpa(q, k, v), [r(2, 3, 4), r(2, 0, 4), r(2, 0, 3)], tags=["empty"])
case("nan-query", "scaled_dot_product_attention", lambda q, k, v: sdpa(q, k, v), [with_specials(r(1, 3, 4), 5), r(1, 4, 4), r(1, 4, 2)],
     grad=False, tags=["specials"], tol=T)
case("float64-scale", "scaled_dot_product_attention", lambda q, k, v: sdpa(q, k, v, scale=0.7),
     [r(2, 4, 3, dtype=f64), r(2, 5, 3, dtype=f64), r(2, 5, 2, dtype=f64)], {"scale": 0.7})
case("dropout-all", "scaled_dot_product_attention", lambda q, k, v: sdpa(q, k, v, dropout_p=1.0),
     [r(2, 3, 4), r(2, 5, 4), r(2, 5, 2)], {"dropout_p": 1.0})
error("mask-and-causal", "scaled_dot_product_attention", [r(2, 3, 4), r(2, 3, 4), r(2, 3, 4), bools(3, 3)], {"is_causal": True},
      "an explicit attn_mask and is_causal together")
error("int-mask", "scaled_dot_product_attention", [r(2, 3, 4), r(2, 3, 4), r(2, 3, 4), torch.ones(3, 3, dtype=torch.int64)], {},
      "attn_mask must be bool or the query's dtype")
error("float64-mask", "scaled_dot_product_attention", [r(2, 3, 4), r(2, 3, 4), r(2, 3, 4), r(3, 3, dtype=f64)], {},
      "a float attn_mask must have the query's dtype")
error("key-value-lengths", "scaled_dot_product_attention", [r(2, 3, 4), r(2, 5, 4), r(2, 6, 4)], {}, "key and value lengths differ")
error("1d", "scaled_dot_product_attention", [r(4), r(4), r(4)], {}, "inputs need at least 2 dims")
error("mask-shape", "scaled_dot_product_attention", [r(2, 3, 4), r(2, 5, 4), r(2, 5, 4), bools(3, 4)], {},
      "attn_mask does not broadcast to [batch, L, S]")

# lstm_cell / gru_cell / rnn_tanh_cell (inputs: input, hx, w_ih, w_hh[, b_ih, b_hh])
def cell_inputs(gates, batch=2, features=3, hidden=4, dtype=torch.float32, lstm=False):
    state = [r(batch, hidden, dtype=dtype), r(batch, hidden, dtype=dtype)] if lstm else r(batch, hidden, dtype=dtype)
    return [r(batch, features, dtype=dtype), state, r(gates * hidden, features, dtype=dtype) * 0.5,
            r(gates * hidden, hidden, dtype=dtype) * 0.5, r(gates * hidden, dtype=dtype), r(gates * hidden, dtype=dtype)]


for op, gates, fn, lstm in [("lstm_cell", 4, torch.lstm_cell, True), ("gru_cell", 3, torch.gru_cell, False),
                            ("rnn_tanh_cell", 1, torch.rnn_tanh_cell, False)]:
    x, h, wi, wh, bi, bh = cell_inputs(gates, lstm=lstm)
    gapped_state = [Gapped([2, 4]), Gapped([2, 4])] if lstm else Gapped([2, 4])
    case("noncontig-nan-gaps", op, fn, [Gapped([2, 3]), gapped_state, wi, Gapped([gates * 4, 4]), bi, bh], tags=["noncontiguous"], tol=1e-5)
    case("one-bias", op, lambda x, h, wi, wh, bi: fn(x, h, wi, wh, bi, None), [x, h, wi, wh, bi], tol=1e-5)
    case("empty-batch", op, fn, cell_inputs(gates, batch=0, lstm=lstm), tags=["empty"])
    sx = with_specials(x, 0, 4)
    case("specials", op, fn, [sx, h, wi, wh, bi, bh], grad=False, tags=["specials"], tol=1e-5)
    case("float64", op, fn, cell_inputs(gates, batch=3, features=5, hidden=2, dtype=f64, lstm=lstm))
    error("1d-input", op, [r(3), h, wi, wh], {}, "input must be 2-D")
    error("gate-rows", op, [x, h, r(gates * 4 + 1, 3), r(gates * 4 + 1, 4)], {}, "weights need gates x hidden rows")
    error("input-features", op, [r(2, 5), h, wi, wh], {}, "w_ih columns must equal the input size")
    error("dtype-mismatch", op, [x, h, wi.double(), wh], {}, "all tensors need one dtype")
    error("bias-shape", op, [x, h, wi, wh, r(gates * 4 + 2)], {}, "b_ih must have gates x hidden elements")
error("three-states", "lstm_cell", [r(2, 3), [r(2, 4), r(2, 4), r(2, 4)], r(16, 3), r(16, 4)], {}, "hx must be [h, c]")
error("batch-mismatch", "gru_cell", [r(2, 3), r(3, 4), r(12, 3), r(12, 4)], {}, "hx batch differs from input's")

json.dump({"format": "swifttorch-conformance/1",
           "generator": f"PyTorch {torch.__version__}, CPU; Tests/SwiftTorchTests/Resources/make-sequence-op-cases.py; "
                        "float64 reference rounded to each case's dtype",
           "cases": cases}, open("sequence-op-cases.json", "w"))
print(len(cases), "cases")
