import SwiftTorch
import SwiftTorchCore
import Testing

// The recurrent cells: their fused gate kernels against a composite of existing operators
// (the oracle), forward and backward, on every CPU backend; gradcheck of both LSTM
// outputs; and the errors bad shapes raise.

private struct CellInputs {
    let input: Tensor, h: Tensor, c: Tensor, wIh: Tensor, wHh: Tensor, bIh: Tensor, bHh: Tensor
    var all: [Tensor] { [input, h, c, wIh, wHh, bIh, bHh] }

    /// `other` with the states replaced.
    init(copying other: CellInputs, h: Tensor, c: Tensor) {
        (input, self.h, self.c, wIh, wHh, bIh, bHh) = (other.input, h, c, other.wIh, other.wHh, other.bIh, other.bHh)
    }

    init(gates: Int, batch: Int = 5, features: Int = 7, hidden: Int = 9, dtype: DType = .float32, seed: UInt64) throws {
        let g = Generator(seed: seed)
        func r(_ shape: [Int]) throws -> Tensor { try Tensor.randn(shape, dtype: dtype, generator: g).requiringGrad() }
        (input, h, c) = (try r([batch, features]), try r([batch, hidden]), try r([batch, hidden]))
        (wIh, wHh, bIh, bHh) = (try r([gates * hidden, features]), try r([gates * hidden, hidden]), try r([gates * hidden]), try r([gates * hidden]))
    }
}

/// torch's cells written with linear, sigmoid, tanh and chunk: the test oracle.
private enum CompositeCell {
    static func lstm(_ x: CellInputs) throws -> (Tensor, Tensor) {
        let gates = try (linear(x.input, weight: x.wIh, bias: x.bIh) + linear(x.h, weight: x.wHh, bias: x.bHh)).chunk(4, dim: 1)
        let c = try gates[1].sigmoid() * x.c + gates[0].sigmoid() * gates[2].tanh()
        return (try gates[3].sigmoid() * c.tanh(), c)
    }
    static func gru(_ x: CellInputs) throws -> Tensor {
        let i = try linear(x.input, weight: x.wIh, bias: x.bIh).chunk(3, dim: 1)
        let h = try linear(x.h, weight: x.wHh, bias: x.bHh).chunk(3, dim: 1)
        let r = try (i[0] + h[0]).sigmoid(), z = try (i[1] + h[1]).sigmoid()
        let n = try (i[2] + r * h[2]).tanh()
        return try (1.0 - z) * n + z * x.h
    }
    static func rnnTanh(_ x: CellInputs) throws -> Tensor {
        try (linear(x.input, weight: x.wIh, bias: x.bIh) + linear(x.h, weight: x.wHh, bias: x.bHh)).tanh()
    }
}

/// Runs `f` and backpropagates fixed weights of its outputs; returns the outputs and the
/// gradient of every input (fresh leaves each time).
private func forwardAndGradients(_ x: CellInputs, _ f: (CellInputs) throws -> [Tensor]) throws -> (outputs: [Tensor], grads: [Tensor]) {
    for t in x.all { t.grad = nil }
    let outputs = try f(x)
    var loss = try Tensor.zeros([], dtype: x.input.dtype)
    for (k, out) in outputs.enumerated() { loss = try loss + (out * Double(k + 1) * out).sum() }
    try loss.backward()
    return (outputs.map { $0.detach() }, try x.all.map { try $0.grad ?? Tensor.zeros(like: $0) })
}

@Suite("Fused recurrent cells against their composite", .serialized)
struct FusedCellTests {
    static let backends = ["reference", "openmp", "blas"]

    @Test("lstm_cell's fused gates match the composite, outputs and gradients", arguments: backends, [UInt64(1), 2, 3])
    func lstmMatchesComposite(backend: String, seed: UInt64) throws {
        try Runtime.withBackend(backend) {
            let x = try CellInputs(gates: 4, seed: seed)
            let fused = try forwardAndGradients(x) { x in
                let (h, c) = try lstmCell(x.input, hx: [x.h, x.c], wIh: x.wIh, wHh: x.wHh, bIh: x.bIh, bHh: x.bHh)
                return [h, c]
            }
            let oracle = try forwardAndGradients(x) { x in let (h, c) = try CompositeCell.lstm(x); return [h, c] }
            try expectTensorsClose(fused.outputs + fused.grads, oracle.outputs + oracle.grads, "lstm_cell on \(backend)")
        }
    }

    @Test("gru_cell's fused gates match the composite, outputs and gradients", arguments: backends, [UInt64(1), 2, 3])
    func gruMatchesComposite(backend: String, seed: UInt64) throws {
        try Runtime.withBackend(backend) {
            let x = try CellInputs(gates: 3, seed: seed)
            let fused = try forwardAndGradients(x) { x in [try gruCell(x.input, hx: x.h, wIh: x.wIh, wHh: x.wHh, bIh: x.bIh, bHh: x.bHh)] }
            let oracle = try forwardAndGradients(x) { x in [try CompositeCell.gru(x)] }
            try expectTensorsClose(fused.outputs + fused.grads, oracle.outputs + oracle.grads, "gru_cell on \(backend)")
        }
    }

    @Test("rnn_tanh_cell matches the composite, outputs and gradients", arguments: backends)
    func rnnTanhMatchesComposite(backend: String) throws {
        try Runtime.withBackend(backend) {
            let x = try CellInputs(gates: 1, seed: 4)
            let fused = try forwardAndGradients(x) { x in [try rnnTanhCell(x.input, hx: x.h, wIh: x.wIh, wHh: x.wHh, bIh: x.bIh, bHh: x.bHh)] }
            let oracle = try forwardAndGradients(x) { x in [try CompositeCell.rnnTanh(x)] }
            try expectTensorsClose(fused.outputs + fused.grads, oracle.outputs + oracle.grads, "rnn_tanh_cell on \(backend)")
        }
    }

    @Test("the fused kernels agree on the batch and hidden sizes of a training step (64 x 128)")
    func trainingSizedBatch() throws {
        let x = try CellInputs(gates: 4, batch: 64, features: 32, hidden: 128, seed: 9)
        let fused = try Runtime.withBackend("openmp") {
            try lstmCell(x.input, hx: [x.h, x.c], wIh: x.wIh, wHh: x.wHh, bIh: x.bIh, bHh: x.bHh)
        }
        let oracle = try CompositeCell.lstm(x)
        try expectTensorsClose([fused.0, fused.1], [oracle.0, oracle.1], "lstm_cell 64 x 128")
    }

    @Test("states and gates seen through stride-0 or overlapping rows are read in place", arguments: ["reference", "openmp"])
    func broadcastRows(backend: String) throws {
        let x = try CellInputs(gates: 4, batch: 3, features: 2, hidden: 5, seed: 10)
        let h = try x.h.narrow(dim: 0, start: 0, length: 1).expand([3, 5]), c = try x.c.narrow(dim: 0, start: 1, length: 1).expand([3, 5])
        let fused = try Runtime.withBackend(backend) { try lstmCell(x.input, hx: [h, c], wIh: x.wIh, wHh: x.wHh, bIh: x.bIh, bHh: x.bHh) }
        let oracle = try CompositeCell.lstm(CellInputs(copying: x, h: try h.contiguous(), c: try c.contiguous()))
        try expectTensorsClose([fused.0, fused.1], [oracle.0, oracle.1], "stride-0 states on \(backend)")
        let gates = try Tensor.randn([1, 20], generator: Generator(seed: 11)).expand([3, 20])
        let out = try Runtime.withBackend(backend) {
            try Runtime.dispatcher().call(Op.fusedLstmCell, Op.fusedLstmCell.schema.bind([.tensor(gates), .tensor(gates), .tensor(c)]))
        }
        let reference = try Runtime.withBackend("reference") {
            try Runtime.dispatcher().call(Op.fusedLstmCell, Op.fusedLstmCell.schema.bind([.tensor(gates.contiguous()), .tensor(gates.contiguous()), .tensor(c.contiguous())]))
        }
        try expectTensorsClose(out, reference, "stride-0 gates on \(backend)")
    }

    @Test("both LSTM outputs pass gradcheck, without biases too", arguments: [true, false])
    func lstmGradcheck(bias: Bool) throws {
        let x = try CellInputs(gates: 4, batch: 2, features: 3, hidden: 2, dtype: .float64, seed: 5)
        let inputs = bias ? x.all : Array(x.all.prefix(5))
        try GradCheck.check("lstm_cell", inputs: inputs) { t in
            let (h, c) = try lstmCell(t[0], hx: [t[1], t[2]], wIh: t[3], wHh: t[4], bIh: bias ? t[5] : nil, bHh: bias ? t[6] : nil)
            return try h * 2.0 + c * 3.0
        }
    }

    @Test("gru_cell and rnn_tanh_cell pass gradcheck")
    func gruAndRnnGradcheck() throws {
        let gru = try CellInputs(gates: 3, batch: 2, features: 3, hidden: 2, dtype: .float64, seed: 6)
        try GradCheck.check("gru_cell", inputs: [gru.input, gru.h, gru.wIh, gru.wHh, gru.bIh, gru.bHh]) { t in
            try gruCell(t[0], hx: t[1], wIh: t[2], wHh: t[3], bIh: t[4], bHh: t[5])
        }
        let rnn = try CellInputs(gates: 1, batch: 2, features: 3, hidden: 2, dtype: .float64, seed: 7)
        try GradCheck.check("rnn_tanh_cell", inputs: [rnn.input, rnn.h, rnn.wIh, rnn.wHh, rnn.bIh, rnn.bHh]) { t in
            try rnnTanhCell(t[0], hx: t[1], wIh: t[2], wHh: t[3], bIh: t[4], bHh: t[5])
        }
    }

    @Test("bad shapes and dtypes are errors naming the cell, the shapes and the rule")
    func cellErrors() throws {
        let x = try CellInputs(gates: 4, batch: 2, features: 3, hidden: 4, seed: 8)
        expectTorchError(.shapeMismatch, mentioning: ["lstm_cell", "w_hh columns must equal the hidden size", "[16, 5]"]) {
            try lstmCell(x.input, hx: [x.h, x.c], wIh: x.wIh, wHh: try Tensor.zeros([16, 5]))
        }
        expectTorchError(.shapeMismatch, mentioning: ["gru_cell", "3 x hidden_size", "[16, 4]"]) { try gruCell(x.input, hx: x.h, wIh: x.wIh, wHh: x.wHh) }
        expectTorchError(.invalidArgument, mentioning: ["lstm_cell", "two tensors"]) { try lstmCell(x.input, hx: [x.h], wIh: x.wIh, wHh: x.wHh) }
        expectTorchError(.shapeMismatch, mentioning: ["lstm_cell", "2-D input", "[3]"]) {
            try lstmCell(try Tensor.zeros([3]), hx: [x.h, x.c], wIh: x.wIh, wHh: x.wHh)
        }
        expectTorchError(.dtypeMismatch, mentioning: ["rnn_tanh_cell", "float64"]) {
            try rnnTanhCell(x.input, hx: x.h, wIh: try Tensor.zeros([4, 3], dtype: .float64), wHh: try Tensor.zeros([4, 4]))
        }
        expectTorchError(.shapeMismatch, mentioning: ["lstm_cell", "b_ih", "[16]"]) {
            try lstmCell(x.input, hx: [x.h, x.c], wIh: x.wIh, wHh: x.wHh, bIh: try Tensor.zeros([15]))
        }
    }

    @Test("the GRU cell's backward operator: its outputs' shapes, and bad shapes and dtypes as errors naming it")
    func gruBackwardErrors() throws {
        func backward(_ gy: Tensor, _ hx: Tensor, _ ws: Tensor, bias: Bool = true) throws -> [Tensor] {
            try Runtime.dispatcher().call(Op.fusedGruCellBackward, [.tensor(gy), .tensor(hx), .tensor(ws), .bool(bias)])
        }
        let (h, ws) = (try Tensor.zeros([2, 4]), try Tensor.zeros([2, 16]))
        #expect(try backward(h, h, ws).map(\.shape) == [[2, 12], [2, 12], [2, 4], [12], [12]])
        #expect(try backward(h, h, ws, bias: false).map(\.shape) == [[2, 12], [2, 12], [2, 4], [0], [0]])
        expectTorchError(.shapeMismatch, mentioning: ["_thnn_fused_gru_cell_backward", "workspace [batch, 4 x hidden]", "float32[2, 12]"]) {
            _ = try backward(h, h, try Tensor.zeros([2, 12]))
        }
        expectTorchError(.shapeMismatch, mentioning: ["_thnn_fused_gru_cell_backward", "grad_hy must have hx's shape", "[3, 4]"]) {
            _ = try backward(try Tensor.zeros([3, 4]), h, ws)
        }
        expectTorchError(.dtypeMismatch, mentioning: ["_thnn_fused_gru_cell_backward", "float64"]) {
            _ = try backward(h, try Tensor.zeros([2, 4], dtype: .float64), ws)
        }
    }
}
