import SwiftTorchCore

// One time step of the recurrent layers, as torch's lstm_cell, gru_cell and rnn_tanh_cell.
// Each public cell is a composite: its two matrix products go through the dispatcher (so
// the blas backend's GEMM serves them) and the gate arithmetic after them is one fused
// operator with kernels of its own, PyTorch's `_thnn_fused_lstm_cell` and
// `_thnn_fused_gru_cell`. Gate order is PyTorch's: LSTM i, f, g, o; GRU r, z, n.

/// The shape and dtype rules every cell checks before it computes.
enum RecurrentCell {
    /// The checked sizes of a cell call.
    struct Sizes {
        let batch: Int, hidden: Int
    }

    /// Checks input [batch, input_size], each hidden state [batch, hidden], w_ih
    /// [gates * hidden, input_size], w_hh [gates * hidden, hidden] and the optional biases
    /// [gates * hidden], all of one floating-point dtype; hidden is w_hh's column count.
    static func check(_ op: String, gates: Int, input: Tensor, hidden states: [(String, Tensor)], wIh: Tensor, wHh: Tensor,
                      bIh: Tensor?, bHh: Tensor?) throws -> Sizes {
        let all = [("input", input)] + states + [("w_ih", wIh), ("w_hh", wHh)] + [("b_ih", bIh), ("b_hh", bHh)].compactMap { name, t in t.map { (name, $0) } }
        let listing = all.map { "\($0.0) \($0.1.dtype)\(describe(shape: $0.1.shape))" }.joined(separator: ", ")
        guard input.rank == 2 else {
            throw TorchError(.shapeMismatch, "\(op): expected a 2-D input (batch x input_size), got \(listing)")
        }
        guard wIh.rank == 2, wHh.rank == 2 else {
            throw TorchError(.shapeMismatch, "\(op): w_ih and w_hh must be 2-D, got \(listing)")
        }
        let hidden = wHh.shape[1], rows = wHh.shape[0]
        for (name, h) in states where h.shape != [input.shape[0], hidden] {
            throw TorchError(.shapeMismatch, "\(op): \(name) must have shape [batch, hidden_size] = \(describe(shape: [input.shape[0], hidden])) (w_hh columns must equal the hidden size), got \(listing)")
        }
        guard rows == gateRows(gates, hidden) else {
            throw TorchError(.shapeMismatch, "\(op): w_hh must have \(gates) x hidden_size rows for its hidden_size of \(hidden) columns, got \(listing)")
        }
        guard wIh.shape[0] == rows else {
            throw TorchError(.shapeMismatch, "\(op): w_ih and w_hh must have the same number of rows (\(gates) x hidden_size), got \(listing)")
        }
        guard wIh.shape[1] == input.shape[1] else {
            throw TorchError(.shapeMismatch, "\(op): input has \(input.shape[1]) features but w_ih has \(wIh.shape[1]) columns, got \(listing)")
        }
        for (name, b) in [("b_ih", bIh), ("b_hh", bHh)] {
            if let b, b.shape != [rows] {
                throw TorchError(.shapeMismatch, "\(op): \(name) must have shape [\(rows)] (\(gates) x hidden_size), got \(listing)")
            }
        }
        for (_, t) in all where t.dtype != input.dtype || !t.dtype.isFloatingPoint {
            throw TorchError(.dtypeMismatch, "\(op): every tensor must have the same floating-point dtype, got \(listing)")
        }
        return Sizes(batch: input.shape[0], hidden: hidden)
    }

    /// `gates * hidden`, or -1 (which no size equals) when the product overflows: sizes of
    /// stride-0 views can be huge.
    static func gateRows(_ gates: Int, _ hidden: Int) -> Int {
        let (rows, overflow) = hidden.multipliedReportingOverflow(by: gates)
        return overflow ? -1 : rows
    }

    /// `input @ w_ih.T` and `hx @ w_hh.T`: the two GEMMs before the gate arithmetic.
    static func gateProducts(_ input: Tensor, _ hx: Tensor, _ wIh: Tensor, _ wHh: Tensor) throws -> (Tensor, Tensor) {
        (try input.mm(wIh.t()), try hx.mm(wHh.t()))
    }

    /// `name dtype[shape], ...`: a cell operator's operands, for its error messages.
    static func listing(_ operands: [(String, Tensor)]) -> String {
        operands.map { "\($0.0) \($0.1.dtype)\(describe(shape: $0.1.shape))" }.joined(separator: ", ")
    }

    /// Every operand has `reference`'s dtype, a floating-point one.
    static func checkSameFloatDType(_ op: String, _ operands: [(String, Tensor)], as reference: Tensor) throws {
        for (_, t) in operands where t.dtype != reference.dtype || !reference.dtype.isFloatingPoint {
            throw TorchError(.dtypeMismatch, "\(op): every tensor must have the same floating-point dtype, got \(listing(operands))")
        }
    }

    /// The rules of a fused operator's gate tensors: input_gates and hidden_gates [batch,
    /// gates * hidden], the state [batch, hidden], optional biases [gates * hidden], all of
    /// the state's floating-point dtype.
    static func checkFused(_ op: String, gates: Int, _ args: Arguments, state: String) throws {
        let ig = args.tensor("input_gates"), hg = args.tensor("hidden_gates"), h = args.tensor(state)
        let biases = ["input_bias", "hidden_bias"].compactMap { name in args.optionalTensor(name).map { (name, $0) } }
        let operands = [("input_gates", ig), ("hidden_gates", hg), (state, h)] + biases, listing = listing(operands)
        guard h.rank == 2, ig.shape == [h.shape[0], gateRows(gates, h.shape[1])], hg.shape == ig.shape else {
            throw TorchError(.shapeMismatch, "\(op): input_gates and hidden_gates must have shape [batch, \(gates) x hidden] for \(state) [batch, hidden], got \(listing)")
        }
        for (name, b) in biases where b.shape != [ig.shape[1]] {
            throw TorchError(.shapeMismatch, "\(op): \(name) must have shape [\(ig.shape[1])], got \(listing)")
        }
        try checkSameFloatDType(op, operands, as: h)
    }
}

extension Op {
    /// One LSTM step: `(h', c')` from `input` [batch, input_size] and `hx = [h, c]`.
    public static let lstmCell = declare(OperatorDefinition(
        "lstm_cell(Tensor input, Tensor[] hx, Tensor w_ih, Tensor w_hh, Tensor? b_ih=None, Tensor? b_hh=None) -> (Tensor, Tensor)",
        group: .nn,
        composite: { args in
            let input = args.tensor("input"), hx = args.tensorList("hx")
            guard hx.count == 2 else {
                throw TorchError(.invalidArgument, "lstm_cell: hx must hold two tensors [h, c], got \(hx.count): \(describe(tensors: hx))")
            }
            let wIh = args.tensor("w_ih"), wHh = args.tensor("w_hh")
            _ = try RecurrentCell.check("lstm_cell", gates: 4, input: input, hidden: [("hx[0]", hx[0]), ("hx[1]", hx[1])], wIh: wIh, wHh: wHh,
                                        bIh: args.optionalTensor("b_ih"), bHh: args.optionalTensor("b_hh"))
            let (ig, hg) = try RecurrentCell.gateProducts(input, hx[0], wIh, wHh)
            let out = try dispatchAll(fusedLstmCell, [.tensor(ig), .tensor(hg), .tensor(hx[1]), args["b_ih"], args["b_hh"]])
            return [out[0], out[1]]
        }))

    /// One GRU step: `h'` from `input` [batch, input_size] and `hx` [batch, hidden].
    public static let gruCell = declare(OperatorDefinition(
        "gru_cell(Tensor input, Tensor hx, Tensor w_ih, Tensor w_hh, Tensor? b_ih=None, Tensor? b_hh=None) -> Tensor",
        group: .nn,
        composite: { args in
            let input = args.tensor("input"), hx = args.tensor("hx"), wIh = args.tensor("w_ih"), wHh = args.tensor("w_hh")
            _ = try RecurrentCell.check("gru_cell", gates: 3, input: input, hidden: [("hx", hx)], wIh: wIh, wHh: wHh,
                                        bIh: args.optionalTensor("b_ih"), bHh: args.optionalTensor("b_hh"))
            let (ig, hg) = try RecurrentCell.gateProducts(input, hx, wIh, wHh)
            return [try dispatchAll(fusedGruCell, [.tensor(ig), .tensor(hg), .tensor(hx), args["b_ih"], args["b_hh"]])[0]]
        }))

    /// One Elman step: `tanh(input @ w_ih.T + b_ih + hx @ w_hh.T + b_hh)`. The second
    /// product accumulates into the first (addmm), so tanh is the one pass after the GEMMs.
    public static let rnnTanhCell = declare(OperatorDefinition(
        "rnn_tanh_cell(Tensor input, Tensor hx, Tensor w_ih, Tensor w_hh, Tensor? b_ih=None, Tensor? b_hh=None) -> Tensor",
        group: .nn,
        composite: { args in
            let input = args.tensor("input"), hx = args.tensor("hx"), wIh = args.tensor("w_ih"), wHh = args.tensor("w_hh")
            let bIh = args.optionalTensor("b_ih"), bHh = args.optionalTensor("b_hh")
            let sizes = try RecurrentCell.check("rnn_tanh_cell", gates: 1, input: input, hidden: [("hx", hx)], wIh: wIh, wHh: wHh, bIh: bIh, bHh: bHh)
            let bias: Tensor = switch (bIh, bHh) {
            case let (a?, b?): try a + b
            case let (a?, nil): a
            case let (nil, b?): b
            case (nil, nil): try Tensor.zeros([sizes.hidden], dtype: input.dtype, device: input.device)
            }
            let inputPart = try dispatch(addmm, [.tensor(bias), .tensor(input), .tensor(wIh.t())])
            return [try dispatch(addmm, [.tensor(inputPart), .tensor(hx), .tensor(wHh.t())]).tanh()]
        }))

    /// LSTM gate arithmetic after the products: with `gates = input_gates + hidden_gates
    /// (+ biases)` split into i, f, g, o, returns `h' = o * tanh(c')`, `c' = f * cx + i * g`
    /// and the workspace `[sigmoid(i), sigmoid(f), tanh(g), sigmoid(o)]` that the
    /// gradient reads (not differentiable itself, as in PyTorch).
    public static let fusedLstmCell = declare(OperatorDefinition(
        "_thnn_fused_lstm_cell(Tensor input_gates, Tensor hidden_gates, Tensor cx, Tensor? input_bias=None, Tensor? hidden_bias=None) -> (Tensor, Tensor, Tensor)",
        group: .nn,
        meta: { args in
            try RecurrentCell.checkFused("_thnn_fused_lstm_cell", gates: 4, args, state: "cx")
            let cx = args.tensor("cx"), gates = args.tensor("input_gates")
            return [TensorSpec(cx.shape, cx.dtype), TensorSpec(cx.shape, cx.dtype), TensorSpec(gates.shape, cx.dtype)]
        }, derivative: RecurrentCellGrad.fusedLstmCell))

    /// The gradient of `_thnn_fused_lstm_cell` from its saved `cy` and workspace, in one pass
    /// per row (PyTorch's schema): the gates' gradient (which both gate inputs receive), cx's,
    /// and, when `has_bias`, the biases' (the gates' gradient summed over the batch; else
    /// empty). A missing output gradient counts as zeros.
    public static let fusedLstmCellBackward = declare(OperatorDefinition(
        "_thnn_fused_lstm_cell_backward_impl(Tensor? grad_hy, Tensor? grad_cy, Tensor cx, Tensor cy, Tensor workspace, bool has_bias) -> (Tensor, Tensor, Tensor)",
        group: .nn,
        meta: { args in
            let op = "_thnn_fused_lstm_cell_backward_impl"
            let cx = args.tensor("cx"), cy = args.tensor("cy"), workspace = args.tensor("workspace")
            let grads = ["grad_hy", "grad_cy"].compactMap { name in args.optionalTensor(name).map { (name, $0) } }
            let all = [("cx", cx), ("cy", cy), ("workspace", workspace)] + grads, listing = RecurrentCell.listing(all)
            guard cx.rank == 2, workspace.shape == [cx.shape[0], RecurrentCell.gateRows(4, cx.shape[1])],
                  ([cy] + grads.map(\.1)).allSatisfy({ $0.shape == cx.shape }) else {
                throw TorchError(.shapeMismatch, "\(op): cy and the output gradients must have cx's shape [batch, hidden] and workspace [batch, 4 x hidden], got \(listing)")
            }
            try RecurrentCell.checkSameFloatDType(op, all, as: cx)
            let bias = args.bool("has_bias") ? [workspace.shape[1]] : [0]
            return [TensorSpec(workspace.shape, cx.dtype), TensorSpec(cx.shape, cx.dtype), TensorSpec(bias, cx.dtype)]
        }, derivative: RecurrentCellGrad.fusedLstmCellBackward))

    /// GRU gate arithmetic after the products: r and z are sigmoids of the summed input and
    /// hidden gates, `n = tanh(in + r * hn)` with `hn` the hidden part of the n gate (bias
    /// included), and `h' = (1 - z) * n + z * hx`. The workspace `[r, z, n, hn]` is what
    /// the gradient reads (not differentiable itself, as in PyTorch).
    public static let fusedGruCell = declare(OperatorDefinition(
        "_thnn_fused_gru_cell(Tensor input_gates, Tensor hidden_gates, Tensor hx, Tensor? input_bias=None, Tensor? hidden_bias=None) -> (Tensor, Tensor)",
        group: .nn,
        meta: { args in
            try RecurrentCell.checkFused("_thnn_fused_gru_cell", gates: 3, args, state: "hx")
            let hx = args.tensor("hx")
            let workspace = RecurrentCell.gateRows(4, hx.shape[1])
            guard workspace >= 0 else {
                throw TorchError(.invalidArgument, "_thnn_fused_gru_cell: a workspace of 4 x \(hx.shape[1]) columns for hx \(describe(shape: hx.shape)) passes Int.max")
            }
            return [TensorSpec(hx.shape, hx.dtype), TensorSpec([hx.shape[0], workspace], hx.dtype)]
        }, derivative: RecurrentCellGrad.fusedGruCell))

    /// The gradient of `_thnn_fused_gru_cell` from `hx` and its workspace `[r, z, n, hn]`, in
    /// one pass per row: the input gates' gradient `(dr, dz, dn)`, the hidden gates'
    /// `(dr, dz, dn * r)`, hx's `grad_hy * z` and, when `has_bias`, each bias's (its gates'
    /// gradient summed over the batch; else empty). PyTorch's `_thnn_fused_gru_cell_backward`
    /// reads hx from a workspace of five parts; this one's has four, so hx comes apart.
    public static let fusedGruCellBackward = declare(OperatorDefinition(
        "_thnn_fused_gru_cell_backward(Tensor grad_hy, Tensor hx, Tensor workspace, bool has_bias) -> (Tensor, Tensor, Tensor, Tensor, Tensor)",
        group: .nn,
        meta: { args in
            let op = "_thnn_fused_gru_cell_backward"
            let gy = args.tensor("grad_hy"), hx = args.tensor("hx"), workspace = args.tensor("workspace")
            let all = [("grad_hy", gy), ("hx", hx), ("workspace", workspace)], listing = RecurrentCell.listing(all)
            let gates = hx.rank == 2 ? RecurrentCell.gateRows(3, hx.shape[1]) : -1
            guard hx.rank == 2, gy.shape == hx.shape, gates >= 0, workspace.shape == [hx.shape[0], RecurrentCell.gateRows(4, hx.shape[1])] else {
                throw TorchError(.shapeMismatch, "\(op): grad_hy must have hx's shape [batch, hidden] and workspace [batch, 4 x hidden], got \(listing)")
            }
            try RecurrentCell.checkSameFloatDType(op, all, as: hx)
            let gateShape = [hx.shape[0], gates], bias = args.bool("has_bias") ? [gates] : [0]
            return [TensorSpec(gateShape, hx.dtype), TensorSpec(gateShape, hx.dtype), TensorSpec(hx.shape, hx.dtype),
                    TensorSpec(bias, hx.dtype), TensorSpec(bias, hx.dtype)]
        }, derivative: RecurrentCellGrad.fusedGruCellBackward))
}
