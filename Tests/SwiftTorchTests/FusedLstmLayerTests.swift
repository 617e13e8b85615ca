import SwiftTorch
import SwiftTorchCore
import Testing

// `_lstm_layer` (a whole LSTM layer from precomputed input gates) against a loop of
// `lstm_cell` steps, forward and backward, in both directions, on every CPU backend; the
// LSTM module built on it against the same loop, bidirectional and stacked; gradcheck; and
// the errors bad shapes raise.

/// Calls `_lstm_layer` through the dispatcher (recording autograd).
private func fusedLayer(_ gates: Tensor, _ h: Tensor, _ c: Tensor, _ wHh: Tensor, bias: Tensor? = nil, reverse: Bool) throws -> [Tensor] {
    try Runtime.dispatcher().call(Op.lstmLayer, [.tensor(gates), .tensor(h), .tensor(c), .tensor(wHh), bias.map(ArgumentValue.tensor) ?? .none,
                                                 .bool(reverse)])
}

/// The oracle: `lstm_cell` per step, with the input gates entering as the input through an
/// identity w_ih, so each step's pre-activation is `gates[t] + h @ w_hh.T (+ bias)`.
private func cellLoop(_ gates: Tensor, _ h0: Tensor, _ c0: Tensor, _ wHh: Tensor, bias: Tensor? = nil, reverse: Bool) throws -> [Tensor] {
    let steps = gates.shape[0], width = gates.shape[2]
    let identity = try Tensor.eye(width, dtype: gates.dtype)
    var (h, c) = (h0, c0)
    var hs = [Tensor](repeating: h0, count: steps), cs = hs
    for t in reverse ? Array((0..<steps).reversed()) : Array(0..<steps) {
        (h, c) = try lstmCell(gates[t], hx: [h, c], wIh: identity, wHh: wHh, bIh: bias)
        (hs[t], cs[t]) = (h, c)
    }
    return [try stack(hs, dim: 0), h, c, try stack(cs, dim: 0)]
}

/// Backpropagates fixed weights of the differentiable outputs (all but the last `saved`);
/// returns every output and the gradients of `inputs` (fresh each time).
private func outputsAndGradients(_ inputs: [Tensor], saved: Int = 0, _ f: () throws -> [Tensor]) throws -> [Tensor] {
    for t in inputs { t.grad = nil }
    let outputs = try f()
    var loss = try Tensor.zeros([], dtype: outputs[0].dtype)
    for (k, out) in outputs.dropLast(saved).enumerated() { loss = try loss + (out * Double(k + 1) * out).sum() }
    try loss.backward()
    return outputs.map { $0.detach() } + (try inputs.map { try $0.grad ?? Tensor.zeros(like: $0) })
}

@Suite("Fused LSTM layer against a loop of cells", .serialized)
struct FusedLstmLayerTests {
    static let backends = ["reference", "openmp", "blas"]

    @Test("outputs, cell states and the gradients of gates, states, w_hh and bias match the cell loop",
          arguments: backends, [false, true])
    func layerMatchesCellLoop(backend: String, reverse: Bool) throws {
        try Runtime.withBackend(backend) {
            let g = Generator(seed: reverse ? 21 : 22)
            let gates = try Tensor.randn([5, 3, 16], generator: g).requiringGrad()
            let (h, c) = (try Tensor.randn([3, 4], generator: g).requiringGrad(), try Tensor.randn([3, 4], generator: g).requiringGrad())
            let wHh = try (Tensor.randn([16, 4], generator: g) * 0.5).detach().requiringGrad()
            let bias = try Tensor.randn([16], generator: g).requiringGrad()
            for withBias in [false, true] {
                let inputs = withBias ? [gates, h, c, wHh, bias] : [gates, h, c, wHh]
                let b = withBias ? bias : nil
                // Output, final h and c are differentiable; the cell states are compared, the workspace is not.
                let fused = try outputsAndGradients(inputs, saved: 1) { Array(try fusedLayer(gates, h, c, wHh, bias: b, reverse: reverse).prefix(4)) }
                let oracle = try outputsAndGradients(inputs, saved: 1) { try cellLoop(gates, h, c, wHh, bias: b, reverse: reverse) }
                try expectTensorsClose(fused, oracle, "_lstm_layer reverse=\(reverse) bias=\(withBias) on \(backend)")
            }
        }
    }

    @Test("a stacked bidirectional LSTM matches the cell loop, outputs and parameter gradients", arguments: backends)
    func moduleMatchesCellLoop(backend: String) throws {
        try Runtime.withBackend(backend) {
            manualSeed(31)
            let lstm = LSTM(3, 4, numLayers: 2, batchFirst: true, bidirectional: true)
            let input = try Tensor.randn([2, 5, 3])
            let parameters = lstm.parameters()
            let ours = try outputsAndGradients(parameters) {
                let (output, state) = try lstm(input)
                return [output, try state.h + state.c]
            }
            let oracle = try outputsAndGradients(parameters) {
                var sequence = try input.transpose(0, 1)
                var finals: [Tensor] = []
                for layer in 0..<2 {
                    var outputs: [Tensor] = []
                    for direction in 0..<2 {
                        let w = lstm.weights(layer: layer, direction: direction)
                        let gates = try matmul(sequence, w.ih.t()) + w.biasIh! + w.biasHh!
                        let zeros = try Tensor.zeros([2, 4])
                        let hc = try cellLoop(gates, zeros, zeros, w.hh, reverse: direction == 1)
                        finals.append(try hc[1] + hc[2])
                        outputs.append(hc[0])
                    }
                    sequence = try cat(outputs, dim: 2)
                }
                return [try sequence.transpose(0, 1), try stack(finals, dim: 0)]
            }
            try expectTensorsClose(ours, oracle, "LSTM(3, 4, num_layers=2, bidirectional) on \(backend)")
        }
    }

    @Test("the output sequence and final states pass gradcheck in both directions", arguments: [false, true])
    func layerGradcheck(reverse: Bool) throws {
        let g = Generator(seed: 41)
        let inputs = [try Tensor.randn([3, 2, 8], dtype: .float64, generator: g), try Tensor.randn([2, 2], dtype: .float64, generator: g),
                      try Tensor.randn([2, 2], dtype: .float64, generator: g), try Tensor.randn([8, 2], dtype: .float64, generator: g),
                      try Tensor.randn([8], dtype: .float64, generator: g)]
        try GradCheck.check("_lstm_layer", inputs: try inputs.map { try $0.requiringGrad() }) { t in
            let out = try fusedLayer(t[0], t[1], t[2], t[3], bias: t[4], reverse: reverse)
            return try cat([out[0].flatten(), out[1].flatten() * 2.0, out[2].flatten() * 3.0])
        }
    }

    /// Batches that split unevenly over the threads and into partial register tiles, a hidden
    /// size past one cache block of the product (k > 256), and inputs that are views. The
    /// last two are large enough for the openmp kernel to split the rows over its threads.
    @Test("the kernels match the cell loop on uneven batches, a wide hidden size and strided views",
          arguments: backends, [(steps: 4, batch: 13, hidden: 5), (steps: 3, batch: 40, hidden: 24), (steps: 2, batch: 3, hidden: 260)])
    func layerMatchesCellLoopOnOddShapes(backend: String, sizes: (steps: Int, batch: Int, hidden: Int)) throws {
        try Runtime.withBackend(backend) {
            let g = Generator(seed: 51 + UInt64(sizes.batch))
            let (steps, batch, hidden) = sizes
            // gates as a [T, B, 4H] view of a [B, T, 4H] tensor; hx as the transpose of [H, B].
            let gates = try Tensor.randn([batch, steps, 4 * hidden], generator: g).transpose(0, 1)
            let h = try Tensor.randn([hidden, batch], generator: g).t(), c = try Tensor.randn([batch, hidden], generator: g)
            let wHh = try Tensor.randn([4 * hidden, hidden], generator: g) * (1 / Double(hidden).squareRoot())
            let bias = try Tensor.randn([4 * hidden], generator: g)
            #expect(!gates.isContiguous && !h.isContiguous)
            for reverse in [false, true] {
                let fused = Array(try fusedLayer(gates, h, c, wHh, bias: bias, reverse: reverse).prefix(4))
                let oracle = try cellLoop(gates, h, c, wHh, bias: bias, reverse: reverse)
                try expectTensorsClose(fused, oracle, "_lstm_layer \(sizes) reverse=\(reverse) on \(backend)")
            }
        }
    }

    @Test("no steps return the initial states; an empty batch returns empty outputs", arguments: backends)
    func emptySequenceAndBatch(backend: String) throws {
        try Runtime.withBackend(backend) {
            let (h, c) = (try Tensor.randn([3, 4]), try Tensor.randn([3, 4]))
            let none = try fusedLayer(try Tensor.zeros([0, 3, 16]), h, c, try Tensor.randn([16, 4]), reverse: false)
            #expect(none.map(\.shape) == [[0, 3, 4], [3, 4], [3, 4], [0, 3, 4], [0, 3, 16]])
            #expect(none[1].doubleValues() == h.doubleValues() && none[2].doubleValues() == c.doubleValues())
            let empty = try fusedLayer(try Tensor.zeros([5, 0, 16]), try Tensor.zeros([0, 4]), try Tensor.zeros([0, 4]), try Tensor.randn([16, 4]), reverse: true)
            #expect(empty.map(\.shape) == [[5, 0, 4], [0, 4], [0, 4], [5, 0, 4], [5, 0, 16]])
        }
    }

    @Test("the backward operator's bad shapes and dtypes are errors naming it, the shapes and the rule")
    func backwardErrors() throws {
        func backward(_ go: Tensor?, cx: Tensor, w: Tensor, cs: Tensor, ws: Tensor) throws -> [Tensor] {
            try Runtime.dispatcher().call(Op.lstmLayerBackward, [go.map(ArgumentValue.tensor) ?? .none, .none, .none, .tensor(cx), .tensor(w),
                                                                 .tensor(cs), .tensor(ws), .bool(false)])
        }
        let (cx, w, cs, ws) = (try Tensor.zeros([2, 4]), try Tensor.zeros([16, 4]), try Tensor.zeros([3, 2, 4]), try Tensor.zeros([3, 2, 16]))
        #expect(try backward(nil, cx: cx, w: w, cs: cs, ws: ws).map(\.shape) == [[3, 2, 16], [2, 4], [2, 4]])
        expectTorchError(.shapeMismatch, mentioning: ["_lstm_layer_backward", "workspace float32[3, 2, 12]"]) {
            _ = try backward(nil, cx: cx, w: w, cs: cs, ws: try Tensor.zeros([3, 2, 12]))
        }
        expectTorchError(.shapeMismatch, mentioning: ["_lstm_layer_backward", "grad_output must have the shape of cs", "[3, 2, 5]"]) {
            _ = try backward(try Tensor.zeros([3, 2, 5]), cx: cx, w: w, cs: cs, ws: ws)
        }
        expectTorchError(.dtypeMismatch, mentioning: ["_lstm_layer_backward", "float64"]) {
            _ = try backward(nil, cx: cx, w: try Tensor.zeros([16, 4], dtype: .float64), cs: cs, ws: ws)
        }
    }

    @Test("bad shapes and dtypes are errors naming the operator, the shapes and the rule")
    func layerErrors() throws {
        let (gates, h, w) = (try Tensor.zeros([3, 2, 16]), try Tensor.zeros([2, 4]), try Tensor.zeros([16, 4]))
        expectTorchError(.shapeMismatch, mentioning: ["_lstm_layer", "[seq, batch, 4 x hidden]", "[3, 2, 12]"]) {
            _ = try fusedLayer(try Tensor.zeros([3, 2, 12]), h, h, w, reverse: false)
        }
        expectTorchError(.shapeMismatch, mentioning: ["_lstm_layer", "hx", "[3, 4]"]) {
            _ = try fusedLayer(gates, try Tensor.zeros([3, 4]), h, w, reverse: false)
        }
        expectTorchError(.shapeMismatch, mentioning: ["_lstm_layer", "w_hh", "[16, 5]"]) {
            _ = try fusedLayer(gates, h, h, try Tensor.zeros([16, 5]), reverse: false)
        }
        expectTorchError(.shapeMismatch, mentioning: ["_lstm_layer", "bias must have shape [16]", "[12]"]) {
            _ = try fusedLayer(gates, h, h, w, bias: try Tensor.zeros([12]), reverse: false)
        }
        expectTorchError(.dtypeMismatch, mentioning: ["_lstm_layer", "float64"]) {
            _ = try fusedLayer(gates, h, try Tensor.zeros([2, 4], dtype: .float64), w, reverse: false)
        }
    }
}
