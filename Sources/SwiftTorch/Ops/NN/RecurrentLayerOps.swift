import SwiftTorchCore

// A whole LSTM layer (one direction) over a sequence whose input projection is already
// done, as PyTorch's CPU LSTM runs it: the caller computes `x @ w_ih.T + b_ih + b_hh` for
// all steps in one GEMM, and this operator's kernel runs the recurrence (per step,
// `h @ w_hh.T` and the gates; the openmp kernel splits the batch rows across its threads
// once, so the steps need no barrier). Its derivative is one autograd node for the layer: the
// gates' gradient comes back as one [T, B, 4H] tensor (so the input projection's backward
// is two whole-sequence GEMMs, never a per-step slice's full-size zero gradient), and
// w_hh's gradient is one GEMM over all steps.

/// The shape and dtype rules of the recurrent-layer operators.
enum RecurrentLayer {
    /// Checks input_gates [T, B, gates·H], hx and cx [B, H], w_hh [gates·H, H] and the
    /// optional bias [gates·H], all of one floating-point dtype.
    static func check(_ op: String, gates: Int, _ args: Arguments) throws {
        let ig = args.tensor("input_gates"), hx = args.tensor("hx"), cx = args.tensor("cx"), wHh = args.tensor("w_hh")
        let bias = args.optionalTensor("bias")
        let all = [("input_gates", ig), ("hx", hx), ("cx", cx), ("w_hh", wHh)] + (bias.map { [("bias", $0)] } ?? [])
        let listing = all.map { "\($0.0) \($0.1.dtype)\(describe(shape: $0.1.shape))" }.joined(separator: ", ")
        guard wHh.rank == 2, hx.rank == 2, ig.rank == 3 else {
            throw TorchError(.shapeMismatch, "\(op): expected input_gates [seq, batch, \(gates) x hidden], hx and cx [batch, hidden] and w_hh [\(gates) x hidden, hidden], got \(listing)")
        }
        let hidden = wHh.shape[1], rows = RecurrentCell.gateRows(gates, wHh.shape[1])
        guard wHh.shape[0] == rows, hx.shape == [ig.shape[1], hidden], cx.shape == hx.shape, ig.shape[2] == rows else {
            throw TorchError(.shapeMismatch, "\(op): expected input_gates [seq, batch, \(gates) x hidden], hx and cx [batch, hidden] and w_hh [\(gates) x hidden, hidden] with hidden = w_hh's columns, got \(listing)")
        }
        if let bias, bias.shape != [rows] {
            throw TorchError(.shapeMismatch, "\(op): bias must have shape [\(rows)] (\(gates) x hidden), got \(listing)")
        }
        for (_, t) in all where t.dtype != ig.dtype || !ig.dtype.isFloatingPoint {
            throw TorchError(.dtypeMismatch, "\(op): every tensor must have the same floating-point dtype, got \(listing)")
        }
    }

    /// The steps in the order the recurrence visits them.
    static func order(_ steps: Int, reverse: Bool) -> [Int] {
        reverse ? Array((0..<steps).reversed()) : Array(0..<steps)
    }
}

extension Op {
    /// One LSTM layer over a sequence, from its precomputed input gates `input_gates`
    /// [T, batch, 4·hidden] (`x @ w_ih.T`), the initial `hx`, `cx` [batch, hidden], `w_hh`
    /// [4·hidden, hidden] and `bias` [4·hidden] (`b_ih + b_hh`, added by the gate kernel at
    /// each step rather than broadcast over the whole projection); `reverse` runs from the
    /// last step to the first. Returns every step's `h` [T, batch, hidden] in sequence order, the final `h`
    /// and `c` [batch, hidden], and what the gradient reads: every step's `c` [T, batch,
    /// hidden] and activated gates [T, batch, 4·hidden] (not differentiable themselves, as
    /// `_thnn_fused_lstm_cell`'s workspace).
    public static let lstmLayer = declare(OperatorDefinition(
        "_lstm_layer(Tensor input_gates, Tensor hx, Tensor cx, Tensor w_hh, Tensor? bias=None, bool reverse=False) -> (Tensor, Tensor, Tensor, Tensor, Tensor)",
        group: .nn,
        meta: { args in
            try RecurrentLayer.check("_lstm_layer", gates: 4, args)
            let gates = args.tensor("input_gates"), hx = args.tensor("hx")
            let (steps, dtype) = (gates.shape[0], gates.dtype)
            let sequence = TensorSpec([steps] + hx.shape, dtype), state = TensorSpec(hx.shape, dtype)
            return [sequence, state, state, sequence, TensorSpec(gates.shape, dtype)]
        }, derivative: RecurrentLayerGrad.lstmLayer))

    /// The gradient of `_lstm_layer` back through its steps, from what the forward saved:
    /// `cs` and `workspace` (its outputs 3 and 4), `cx` and `w_hh`, and the gradients of its
    /// outputs (`grad_output` [T, batch, hidden], `grad_hn`, `grad_cn` [batch, hidden]; nil
    /// counts as zeros). Returns the input gates' gradient [T, batch, 4·hidden] (the bias's
    /// is its sum over steps and rows, w_hh's one product with the previous `h`s) and
    /// `hx`'s and `cx`'s. Not differentiable itself, as `_thnn_fused_lstm_cell_backward_impl`.
    public static let lstmLayerBackward = declare(OperatorDefinition(
        "_lstm_layer_backward(Tensor? grad_output, Tensor? grad_hn, Tensor? grad_cn, Tensor cx, Tensor w_hh, Tensor cs, Tensor workspace, bool reverse=False) -> (Tensor, Tensor, Tensor)",
        group: .nn,
        meta: { args in
            let op = "_lstm_layer_backward"
            let cx = args.tensor("cx"), wHh = args.tensor("w_hh"), cs = args.tensor("cs"), ws = args.tensor("workspace")
            let grads = [("grad_output", args.optionalTensor("grad_output")), ("grad_hn", args.optionalTensor("grad_hn")),
                         ("grad_cn", args.optionalTensor("grad_cn"))].compactMap { name, t in t.map { (name, $0) } }
            let all = [("cx", cx), ("w_hh", wHh), ("cs", cs), ("workspace", ws)] + grads
            let listing = all.map { "\($0.0) \($0.1.dtype)\(describe(shape: $0.1.shape))" }.joined(separator: ", ")
            guard cx.rank == 2, wHh.rank == 2, cs.rank == 3 else {
                throw TorchError(.shapeMismatch, "\(op): expected cx [batch, hidden], w_hh [4 x hidden, hidden], cs [seq, batch, hidden] and workspace [seq, batch, 4 x hidden], got \(listing)")
            }
            let (steps, batch, hidden) = (cs.shape[0], cx.shape[0], cx.shape[1])
            guard wHh.shape == [4 * hidden, hidden], cs.shape == [steps, batch, hidden], ws.shape == [steps, batch, 4 * hidden] else {
                throw TorchError(.shapeMismatch, "\(op): expected cx [batch, hidden], w_hh [4 x hidden, hidden], cs [seq, batch, hidden] and workspace [seq, batch, 4 x hidden] with hidden = cx's columns, got \(listing)")
            }
            for (name, t) in grads where t.shape != (name == "grad_output" ? cs.shape : cx.shape) {
                throw TorchError(.shapeMismatch, "\(op): \(name) must have the shape of \(name == "grad_output" ? "cs" : "cx"), got \(listing)")
            }
            for (_, t) in all where t.dtype != cx.dtype || !cx.dtype.isFloatingPoint {
                throw TorchError(.dtypeMismatch, "\(op): every tensor must have the same floating-point dtype, got \(listing)")
            }
            return [TensorSpec(ws.shape, cx.dtype), TensorSpec(cx.shape, cx.dtype), TensorSpec(cx.shape, cx.dtype)]
        }))
}
