"""Writes PyTorch references for configurations of the sequence modules beyond the shared
fixture file (run from this folder with torch installed):

    python3 make-sequence-configs.py   # -> sequence-configs.json, sequence-configs.safetensors

The files follow the module-fixture format of sequence-modules.json (FORMAT.md, "Module
fixtures"), plus an `options` object per fixture with what PyTorch's repr leaves out
(num_heads, batch_first, norm_first, activation, causal). Modules are built and run in
float64 from torch.manual_seed(0) and stored as float32, like the shared fixtures.
"""
import itertools, json, struct
import torch, torch.nn as nn

torch.manual_seed(0)
DT = torch.float64
tensors, fixtures = {}, []

def save_safetensors(path, named):
    """The safetensors layout: an 8-byte header length, the JSON header (padded to 8), the data."""
    blobs = {k: t.detach().contiguous().numpy().tobytes() for k, t in named.items()}
    ends = list(itertools.accumulate(len(b) for b in blobs.values()))
    header = json.dumps({k: {"dtype": "BOOL" if named[k].dtype == torch.bool else "F32", "shape": list(named[k].shape),
                             "data_offsets": [end - len(blobs[k]), end]} for k, end in zip(blobs, ends)}).encode()
    header += b" " * (-len(header) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(header)) + header + b"".join(blobs.values()))

def store(key, t):
    tensors[key] = t.detach().float() if t.dtype.is_floating_point else t.detach()
    return key

def fixture(name, note, module, inputs, call, options=None):
    """Runs call(*inputs) -> outputs, backpropagates sum(output0 * output_grad), stores everything."""
    module = module.to(DT).eval()
    ins = [t.to(DT).requires_grad_() if t.is_floating_point() else t for t in inputs]
    outs = call(module, *ins)
    grad = torch.randn_like(outs[0])
    (outs[0] * grad).sum().backward()
    entry = {
        "name": name, "note": note, "module": repr(module),
        "inputs": [store(f"{name}/input{i}", t) for i, t in enumerate(ins)],
        "outputs": [store(f"{name}/output{i}", t) for i, t in enumerate(outs)],
        "output_grad": store(f"{name}/output_grad", grad),
        "input_grads": [store(f"{name}/input_grad{i}", t.grad) for i, t in enumerate(ins) if t.is_floating_point()],
        "param_grads": {k: store(f"{name}/param_grad/{k}", p.grad) for k, p in module.named_parameters()},
    }
    for k, v in module.state_dict().items():
        store(f"{name}/state/{k}", v)
    if options:
        entry["options"] = options
    fixtures.append(entry)

fixture("lstm_bidirectional", "nn.LSTM, 2 layers, bidirectional, batch_first; outputs: output, h_n, c_n",
        nn.LSTM(3, 4, num_layers=2, batch_first=True, bidirectional=True), [torch.randn(2, 5, 3)],
        lambda m, x: (lambda o, s: [o, s[0], s[1]])(*m(x)))
fixture("gru_initial_state", "nn.GRU sequence-first with h0; outputs: output, h_n",
        nn.GRU(3, 4), [torch.randn(5, 2, 3), torch.randn(1, 2, 4)],
        lambda m, x, h: list(m(x, h)))
fixture("rnn_relu", "nn.RNN(nonlinearity='relu'), 2 layers, batch_first; outputs: output, h_n",
        nn.RNN(3, 4, num_layers=2, nonlinearity="relu", batch_first=True), [torch.randn(2, 5, 3)],
        lambda m, x: list(m(x)), {"nonlinearity": "relu"})
padding = torch.tensor([[False, False, False, False, True, True], [False, False, False, False, False, False]])
fixture("mha_kdim_vdim_padding", "nn.MultiheadAttention(8, 2, kdim=5, vdim=3, batch_first=True); key_padding_mask "
        "(input 3), need_weights=True averaged; outputs: output, weights",
        nn.MultiheadAttention(8, 2, kdim=5, vdim=3, batch_first=True),
        [torch.randn(2, 4, 8), torch.randn(2, 6, 5), torch.randn(2, 6, 3), padding],
        lambda m, q, k, v, p: list(m(q, k, v, key_padding_mask=p, need_weights=True, average_attn_weights=True)),
        {"num_heads": 2, "batch_first": True})
fixture("encoder_norm_first_gelu", "nn.TransformerEncoderLayer(8, 2, 16, dropout=0, activation='gelu', norm_first=True), "
        "sequence-first, eval",
        nn.TransformerEncoderLayer(8, 2, dim_feedforward=16, dropout=0.0, activation="gelu", norm_first=True),
        [torch.randn(5, 2, 8)], lambda m, x: [m(x)],
        {"num_heads": 2, "batch_first": False, "norm_first": True, "activation": "gelu"})
fixture("decoder_layer", "nn.TransformerDecoderLayer(8, 2, 16, dropout=0, batch_first=True) with the causal tgt_mask; "
        "inputs: tgt, memory",
        nn.TransformerDecoderLayer(8, 2, dim_feedforward=16, dropout=0.0, batch_first=True),
        [torch.randn(2, 4, 8), torch.randn(2, 6, 8)],
        lambda m, t, mem: [m(t, mem, tgt_mask=nn.Transformer.generate_square_subsequent_mask(4, dtype=DT), tgt_is_causal=True)],
        {"num_heads": 2, "batch_first": True, "norm_first": False, "activation": "relu", "causal": True})

with open("sequence-configs.json", "w") as f:
    json.dump({"generator": f"PyTorch {torch.__version__}; make-sequence-configs.py; built in float64, stored as float32",
               "tolerance": {"rtol": 1e-4, "atol": 1e-5}, "fixtures": fixtures}, f, indent=1)
save_safetensors("sequence-configs.safetensors", tensors)
