import SwiftTorchCore

// A whole LSTM layer (one direction) over a sequence whose input projection is already
// done, as PyTorch's CPU LSTM runs it: the caller computes `x @ w_ih.T + b_ih + b_hh` for
// all steps in one GEMM, and this operator runs the recurrence (one `h @ w_hh.T` and the
// fused gate kernel per step). Its derivative is one autograd node for the layer: the
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
        composite: { args in
            try RecurrentLayer.check("_lstm_layer", gates: 4, args)
            let gates = args.tensor("input_gates"), wHh = args.tensor("w_hh")
            var h = args.tensor("hx"), c = args.tensor("cx")
            let steps = gates.shape[0]
            guard steps > 0 else {
                let empty = try Tensor.zeros([0] + h.shape, dtype: h.dtype, device: h.device)
                return [empty, try h.clone(), try c.clone(), try empty.clone(), try Tensor.zeros(like: gates)]
            }
            // w_hh.T laid out row-major once: every step's GEMM packs its right operand, and
            // packing a transposed view is a strided gather, dearer than the copy made here.
            let hhT = try wHh.t().contiguous()
            var hs = [Tensor](repeating: h, count: steps), cs = hs, workspaces = hs
            for t in RecurrentLayer.order(steps, reverse: args.bool("reverse")) {
                let next = try dispatchAll(fusedLstmCell, [.tensor(try gates[t]), .tensor(try h.mm(hhT)), .tensor(c), args["bias"], .none])
                (h, c) = (next[0], next[1])
                (hs[t], cs[t], workspaces[t]) = (h, c, next[2])
            }
            // The final states are the last step's own tensors: no copy, no select to differentiate.
            return [try SwiftTorch.stack(hs, dim: 0), h, c, try SwiftTorch.stack(cs, dim: 0), try SwiftTorch.stack(workspaces, dim: 0)]
        }, derivative: RecurrentLayerGrad.lstmLayer))
}
