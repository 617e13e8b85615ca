import SwiftTorch
import SwiftTorchCore

// Samples for the sequence-model operators (masked_fill, tril/triu, leaky_relu, elu, the
// fused recurrent cells and fused attention): broadcasting masks, transposed and stepped
// views, empty and 0-d inputs, NaN and infinities, and sizes past the OpenMP kernels'
// parallel thresholds. Gradcheck gets small, smooth cases.

extension OpSamples {
    /// Samples for a sequence operator, or nil for any other operator.
    func sequenceSamples(_ name: String) throws -> [OpSample]? {
        switch name {
        case "masked_fill": try maskedFillSamples()
        case "tril", "triu": try triangleSamples()
        case "leaky_relu", "elu": try activationSamples(name)
        case "_thnn_fused_lstm_cell", "_thnn_fused_gru_cell": try fusedCellSamples(gates: name.contains("lstm") ? 4 : 3)
        case "_thnn_fused_lstm_cell_backward_impl": try lstmBackwardSamples()
        case "_thnn_fused_gru_cell_backward": try gruBackwardSamples()
        case "_lstm_layer": try lstmLayerSamples()
        case "_lstm_layer_backward": try lstmLayerBackwardSamples()
        case "_scaled_dot_product_fused_attention": try attentionSamples()
        default: nil
        }
    }

    func bools(_ shape: [Int]) throws -> Tensor { try randn(shape).gt(0.0) }

    func maskedFillSamples() throws -> [OpSample] {
        func sample(_ label: String, _ x: Tensor, _ mask: Tensor, _ value: ArgumentValue) -> OpSample {
            OpSample(label: label, keywords: [("self", .tensor(x)), ("mask", .tensor(mask)), ("value", value)], terms: 1)
        }
        let zeroD = try randn([])
        if forGradcheck {
            return [sample("same", try randn([2, 3]), try bools([2, 3]), .double(-1.5)),
                    sample("tensor-value", try randn([2, 3]), try bools([3]), .tensor(try randn([]))),
                    sample("mask-broadcasts-self", try randn([3]), try bools([2, 3]), .tensor(zeroD))]
        }
        return [
            sample("same", try randn([7, 65]), try bools([7, 65]), .double(-1e9)),
            sample("row-mask", try randn([3, 4, 5]), try bools([4, 1]), .double(0)),
            sample("mask-broadcasts-self", try randn([65]), try bools([9, 65]), .tensor(try randn([]))),
            sample("transposed", try transposed(9, 65), try bools([65, 9]).t(), .double(2.5)),
            sample("stepped", try stepped(65), try bools([65]), .double(-.infinity)),
            sample("0d", zeroD, try bools([]), .double(3)),
            sample("empty", try randn([0, 4]), try bools([4]), .double(1)),
            sample("specials", try specials(17), try bools([17]), .double(.nan)),
            sample("large", try randn([256, 257]), try bools([256, 257]), .tensor(try randn([]))),
        ]
    }

    func triangleSamples() throws -> [OpSample] {
        func sample(_ label: String, _ x: Tensor, _ diagonal: Int) -> OpSample {
            OpSample(label: "\(label) diagonal \(diagonal)", keywords: [("self", .tensor(x)), ("diagonal", .int(diagonal))], terms: 1)
        }
        if forGradcheck { return [sample("rect", try randn([3, 4]), 0), sample("batched", try randn([2, 3, 3]), -1)] }
        return try [0, 1, -1, 2].flatMap { d in
            [sample("rect", try randn([5, 6]), d), sample("tall", try randn([2, 7, 3]), d),
             sample("transposed", try transposed(9, 7), d)]
        } + [
            sample("expanded-batch", try randn([1, 4, 4]).expand([3, 4, 4]), 0),
            sample("beyond-every-column", try randn([3, 4, 5]), 100), sample("below-every-row", try randn([3, 4, 5]), -100),
            sample("extreme", try randn([2, 3]), Int.max), sample("extreme-negative", try randn([2, 3]), Int.min),
            sample("empty", try randn([0, 3, 3]), 0), sample("empty-rows", try randn([2, 0, 3]), 1),
            sample("specials", try specials(16).reshape([4, 4]), 0),
            sample("large", try randn([3, 128, 129]), 3),
        ]
    }

    func activationSamples(_ name: String) throws -> [OpSample] {
        let variants: [[(String, ArgumentValue)]] = name == "leaky_relu"
            ? [[], [("negative_slope", .double(0.2))], [("negative_slope", .double(-1.5))]]
            : [[], [("alpha", .double(1.5))], [("alpha", .double(0.5)), ("scale", .double(1.0507)), ("input_scale", .double(2))]]
        return try unaryInputs().flatMap { label, x in
            variants.map { extra in OpSample(label: label + extra.map { " \($0.0)" }.joined(), keywords: [("self", .tensor(x))] + extra, terms: 1) }
        }
    }

    /// input_gates, hidden_gates and the state with `gates` gates; biases optional.
    func fusedCellSamples(gates: Int) throws -> [OpSample] {
        let state = gates == 4 ? "cx" : "hx"
        func sample(_ label: String, batch: Int, hidden: Int, bias: Bool, input: Tensor? = nil, stateTensor: Tensor? = nil) throws -> OpSample {
            var keywords: [(String, ArgumentValue)] = [
                ("input_gates", .tensor(try input ?? randn([batch, gates * hidden]))), ("hidden_gates", .tensor(try randn([batch, gates * hidden]))),
                (state, .tensor(try stateTensor ?? randn([batch, hidden]))),
            ]
            if bias { keywords += [("input_bias", .tensor(try randn([gates * hidden]))), ("hidden_bias", .tensor(try randn([gates * hidden])))] }
            return OpSample(label: label, keywords: keywords, terms: 4)
        }
        if forGradcheck { return [try sample("bias", batch: 2, hidden: 3, bias: true), try sample("no-bias", batch: 3, hidden: 2, bias: false)] }
        // A gate tensor cut from a wider one (row stride past its width) and a transposed state.
        let wide = try randn([5, gates * 7 + 3]).narrow(dim: 1, start: 2, length: gates * 7)
        return [
            try sample("bias", batch: 3, hidden: 7, bias: true), try sample("no-bias", batch: 2, hidden: 9, bias: false),
            try sample("row-strided", batch: 5, hidden: 7, bias: true, input: wide, stateTensor: try transposed(5, 7)),
            try sample("one-row", batch: 1, hidden: 65, bias: true),
            try sample("empty-batch", batch: 0, hidden: 4, bias: true),
            try sample("specials", batch: 1, hidden: 17, bias: false, input: try specials(17 * gates).reshape([1, 17 * gates])),
            try sample("large", batch: 64, hidden: 128, bias: true),
        ]
    }

    /// Output gradients (either may be None), cx, cy and a workspace of activated gates.
    func lstmBackwardSamples() throws -> [OpSample] {
        func sample(_ label: String, batch: Int, hidden: Int, gradH: Bool = true, gradC: Bool = true, bias: Bool = true,
                    cx: Tensor? = nil) throws -> OpSample {
            let gates = try cat([uniform([batch, 2 * hidden], 0, 1), uniform([batch, hidden], -1, 1), uniform([batch, hidden], 0, 1)], dim: 1)
            return OpSample(label: label, keywords: [
                ("grad_hy", gradH ? .tensor(try randn([batch, hidden])) : .none), ("grad_cy", gradC ? .tensor(try randn([batch, hidden])) : .none),
                ("cx", .tensor(try cx ?? randn([batch, hidden]))), ("cy", .tensor(try randn([batch, hidden]))), ("workspace", .tensor(gates)),
                ("has_bias", .bool(bias)),
            ], terms: batch)
        }
        if forGradcheck { return [try sample("both", batch: 2, hidden: 2), try sample("hidden-only", batch: 2, hidden: 3, gradC: false, bias: false)] }
        return [
            try sample("both", batch: 3, hidden: 7), try sample("cell-only", batch: 2, hidden: 5, gradH: false),
            try sample("no-bias", batch: 4, hidden: 9, bias: false), try sample("transposed-cx", batch: 5, hidden: 7, cx: try transposed(5, 7)),
            try sample("empty-batch", batch: 0, hidden: 4), try sample("large", batch: 64, hidden: 128),
        ]
    }

    /// The GRU cell's gradient: a workspace whose r, z lie in (0, 1) and n in (-1, 1), as the
    /// forward leaves them, and hn anything.
    func gruBackwardSamples() throws -> [OpSample] {
        func sample(_ label: String, batch: Int, hidden: Int, bias: Bool = true, hx: Tensor? = nil) throws -> OpSample {
            let workspace = try cat([uniform([batch, 2 * hidden], 0, 1), uniform([batch, hidden], -1, 1), randn([batch, hidden])], dim: 1)
            return OpSample(label: label, keywords: [
                ("grad_hy", .tensor(try randn([batch, hidden]))), ("hx", .tensor(try hx ?? randn([batch, hidden]))),
                ("workspace", .tensor(workspace)), ("has_bias", .bool(bias)),
            ], terms: batch)
        }
        if forGradcheck { return [try sample("bias", batch: 2, hidden: 2), try sample("no-bias", batch: 2, hidden: 3, bias: false)] }
        return [
            try sample("bias", batch: 3, hidden: 7), try sample("no-bias", batch: 4, hidden: 9, bias: false),
            try sample("transposed-hx", batch: 5, hidden: 7, hx: try transposed(5, 7)),
            try sample("empty-batch", batch: 0, hidden: 4), try sample("large", batch: 64, hidden: 128),
        ]
    }

    /// Input gates of a whole sequence, the initial states and w_hh, in either direction.
    func lstmLayerSamples() throws -> [OpSample] {
        func sample(_ label: String, steps: Int, batch: Int, hidden: Int, reverse: Bool = false, bias: Bool = true,
                    gates: Tensor? = nil) throws -> OpSample {
            OpSample(label: label, keywords: [
                ("input_gates", .tensor(try gates ?? randn([steps, batch, 4 * hidden]))), ("hx", .tensor(try randn([batch, hidden]))),
                ("cx", .tensor(try randn([batch, hidden]))), ("w_hh", .tensor(try randn([4 * hidden, hidden]) * 0.5)),
                ("bias", bias ? .tensor(try randn([4 * hidden])) : .none), ("reverse", .bool(reverse)),
            ], terms: hidden)
        }
        if forGradcheck {
            return [try sample("forward", steps: 3, batch: 2, hidden: 2),
                    try sample("reverse-no-bias", steps: 2, batch: 1, hidden: 3, reverse: true, bias: false)]
        }
        return [
            try sample("forward", steps: 4, batch: 3, hidden: 5), try sample("reverse", steps: 3, batch: 2, hidden: 7, reverse: true),
            try sample("one-step", steps: 1, batch: 2, hidden: 3), try sample("no-bias", steps: 2, batch: 2, hidden: 3, bias: false),
            try sample("transposed-gates", steps: 3, batch: 4, hidden: 2, gates: try randn([4, 3, 8]).transpose(0, 1)),
            try sample("empty-sequence", steps: 0, batch: 2, hidden: 3), try sample("empty-batch", steps: 2, batch: 0, hidden: 3),
            try sample("rows-over-threads", steps: 3, batch: 64, hidden: 16),
        ]
    }

    /// Saved states and activated gates in their ranges (i, f, o in (0, 1), g in (-1, 1)).
    func lstmLayerBackwardSamples() throws -> [OpSample] {
        func sample(_ label: String, steps: Int, batch: Int, hidden: Int, reverse: Bool = false, outputGrad: Bool = true,
                    stateGrads: Bool = true, cx: Tensor? = nil) throws -> OpSample {
            let gates = try cat([uniform([steps, batch, 2 * hidden], 0, 1), uniform([steps, batch, hidden], -1, 1),
                                 uniform([steps, batch, hidden], 0, 1)], dim: 2)
            return OpSample(label: label, keywords: [
                ("grad_output", outputGrad ? .tensor(try randn([steps, batch, hidden])) : .none),
                ("grad_hn", stateGrads ? .tensor(try randn([batch, hidden])) : .none), ("grad_cn", stateGrads ? .tensor(try randn([batch, hidden])) : .none),
                ("cx", .tensor(try cx ?? randn([batch, hidden]))), ("w_hh", .tensor(try randn([4 * hidden, hidden]) * 0.5)),
                ("cs", .tensor(try randn([steps, batch, hidden]))), ("workspace", .tensor(gates)), ("reverse", .bool(reverse)),
            ], terms: hidden)
        }
        if forGradcheck { return [] }
        return [
            try sample("forward", steps: 4, batch: 3, hidden: 5), try sample("reverse", steps: 3, batch: 2, hidden: 7, reverse: true),
            try sample("outputs-only", steps: 2, batch: 2, hidden: 3, stateGrads: false),
            try sample("states-only", steps: 2, batch: 3, hidden: 3, outputGrad: false),
            try sample("transposed-cx", steps: 3, batch: 5, hidden: 7, cx: try transposed(5, 7)),
            try sample("empty-sequence", steps: 0, batch: 2, hidden: 3), try sample("empty-batch", steps: 2, batch: 0, hidden: 3),
            try sample("rows-over-threads", steps: 3, batch: 64, hidden: 16, reverse: true),
        ]
    }

    func attentionSamples() throws -> [OpSample] {
        func sample(_ label: String, _ q: Tensor, _ k: Tensor, _ v: Tensor, mask: Tensor? = nil, causal: Bool = false,
                    p: Double = 0, scale: Double? = nil) -> OpSample {
            let e = q.shape[q.rank - 1]
            return OpSample(label: label, keywords: [
                ("query", .tensor(q)), ("key", .tensor(k)), ("value", .tensor(v)), ("attn_mask", mask.map(ArgumentValue.tensor) ?? .none),
                ("dropout_p", .double(p)), ("is_causal", .bool(causal)), ("scale", .double(scale ?? 1 / Double(e).squareRoot())), ("seed", .int(7)),
            ], terms: k.shape[k.rank - 2] * e)
        }
        if forGradcheck {
            return [sample("plain", try randn([2, 3, 4]), try randn([2, 5, 4]), try randn([2, 5, 3])),
                    sample("float-mask", try randn([2, 2, 3, 2]), try randn([2, 2, 4, 2]), try randn([2, 2, 4, 2]), mask: try randn([2, 1, 3, 4])),
                    sample("bool-mask", try randn([3, 4]), try randn([3, 4]), try randn([3, 2]), mask: try bools([3, 3]).logicalOrDiagonal()),
                    sample("causal", try randn([1, 4, 3]), try randn([1, 4, 3]), try randn([1, 4, 3]), causal: true),
                    sample("dropout", try randn([2, 3, 2]), try randn([2, 4, 2]), try randn([2, 4, 3]), p: 0.3)]
        }
        let fullyMasked = try Tensor([Int64]([1, 1, 0, 0, 0, 0, 1, 0, 1, 1, 1, 1]), shape: [3, 4], dtype: .int64).gt(0.0)
        return [
            sample("4d", try randn([2, 2, 5, 4]), try randn([2, 2, 6, 4]), try randn([2, 2, 6, 3])),
            sample("3d-scale", try randn([2, 5, 4]), try randn([2, 7, 4]), try randn([2, 7, 6]), scale: 0.3),
            sample("bool-mask-fully-masked-row", try randn([2, 3, 8]), try randn([2, 4, 8]), try randn([2, 4, 5]), mask: fullyMasked),
            sample("float-mask-broadcast", try randn([2, 2, 5, 4]), try randn([2, 2, 6, 4]), try randn([2, 2, 6, 4]), mask: try randn([2, 1, 5, 6])),
            sample("causal-long-keys", try randn([2, 5, 4]), try randn([2, 9, 4]), try randn([2, 9, 4]), causal: true),
            sample("causal-short-keys", try randn([1, 6, 4]), try randn([1, 3, 4]), try randn([1, 3, 4]), causal: true),
            sample("batch-broadcast", try randn([3, 2, 5, 4]), try randn([1, 2, 6, 4]), try randn([2, 6, 3])),
            sample("transposed-key", try randn([2, 5, 4]), try randn([2, 4, 6]).transpose(1, 2), try transposed(6, 3).unsqueeze(0).expand([2, 6, 3])),
            sample("dropout", try randn([2, 2, 5, 4]), try randn([2, 2, 6, 4]), try randn([2, 2, 6, 4]), p: 0.4),
            sample("dropout-all", try randn([2, 5, 4]), try randn([2, 6, 4]), try randn([2, 6, 4]), p: 1),
            sample("empty-queries", try randn([2, 0, 4]), try randn([2, 6, 4]), try randn([2, 6, 4])),
            sample("empty-keys", try randn([2, 5, 4]), try randn([2, 0, 4]), try randn([2, 0, 3])),
            sample("specials", try specials(20).reshape([1, 5, 4]), try randn([1, 6, 4]), try randn([1, 6, 4])),
            sample("large", try randn([4, 2, 64, 32]), try randn([4, 2, 64, 32]), try randn([4, 2, 64, 32]), causal: true),
        ]
    }
}

extension Tensor {
    /// A square bool mask with its diagonal set, so no query of a bool-masked sample is
    /// fully masked (finite differences of such a row are zero on both sides anyway).
    func logicalOrDiagonal() throws -> Tensor {
        let n = shape[0]
        let eye = try Tensor((0..<(n * n)).map { Int64($0 / n == $0 % n ? 1 : 0) }, shape: [n, n], dtype: .int64).gt(0.0)
        return try SwiftTorch.where(eye, eye, self)
    }
}
