import SwiftTorch
import SwiftTorchCore

// Samples for the nn-functional family: odd image sizes, stride/padding/dilation/groups,
// unbatched images, empty batches, permuted (channels-last) views, NaN and infinities, and a
// 28×28 batch large enough for the OpenMP paths. Gradcheck gets a few small, smooth cases.

extension OpSamples {
    /// One convolution configuration: input, weight, optional bias and window keywords.
    struct ConvolutionCase {
        let label: String
        let input: Tensor, weight: Tensor, bias: Tensor?
        let window: [(String, ArgumentValue)]
        var terms: Int { weight.shape[1...].reduce(1, *) }
    }

    func convolutionCases() throws -> [ConvolutionCase] {
        func window(stride: [Int] = [1, 1], padding: [Int] = [0, 0], dilation: [Int] = [1, 1], groups: Int = 1) -> [(String, ArgumentValue)] {
            [("stride", .ints(stride)), ("padding", .ints(padding)), ("dilation", .ints(dilation)), ("groups", .int(groups))]
        }
        if forGradcheck {
            return [
                ConvolutionCase(label: "bias", input: try randn([2, 2, 5, 4]), weight: try randn([3, 2, 2, 3]), bias: try randn([3]), window: window(padding: [1, 0])),
                ConvolutionCase(label: "stride-dilation-groups", input: try randn([1, 4, 6, 6]), weight: try randn([2, 2, 2, 2]), bias: nil,
                                window: window(stride: [2, 1], dilation: [1, 2], groups: 2)),
            ]
        }
        let channelsLast = try randn([2, 9, 11, 3]).permute([0, 3, 1, 2])
        return [
            ConvolutionCase(label: "bias", input: try randn([2, 3, 9, 11]), weight: try randn([5, 3, 3, 3]), bias: try randn([5]), window: window()),
            ConvolutionCase(label: "stride-pad-dilation", input: try randn([2, 4, 10, 9]), weight: try randn([6, 4, 3, 2]), bias: nil,
                            window: window(stride: [2, 1], padding: [1, 2], dilation: [2, 1])),
            ConvolutionCase(label: "groups", input: try randn([1, 6, 7, 7]), weight: try randn([9, 2, 3, 3]), bias: try randn([9]), window: window(padding: [1, 1], groups: 3)),
            ConvolutionCase(label: "1x1", input: try randn([3, 5, 4, 4]), weight: try randn([7, 5, 1, 1]), bias: nil, window: window()),
            ConvolutionCase(label: "unbatched", input: try randn([3, 8, 8]), weight: try randn([4, 3, 3, 3]), bias: try randn([4]), window: window(padding: [1, 1])),
            ConvolutionCase(label: "empty-batch", input: try randn([0, 3, 5, 5]), weight: try randn([2, 3, 3, 3]), bias: nil, window: window()),
            ConvolutionCase(label: "channels-last-view", input: channelsLast, weight: try randn([2, 3, 3, 5]).permute([3, 2, 1, 0]),
                            bias: nil, window: window(padding: [0, 1])),
            ConvolutionCase(label: "specials", input: try specials(16).reshape([1, 1, 4, 4]), weight: try randn([2, 1, 2, 2]), bias: nil, window: window()),
            ConvolutionCase(label: "28x28", input: try randn([3, 3, 28, 28]), weight: try randn([8, 3, 3, 3]), bias: try randn([8]), window: window(padding: [1, 1])),
            // Small images with many taps: the openmp lowering folds the batch into one product.
            ConvolutionCase(label: "folded-batch", input: try randn([5, 32, 4, 4]), weight: try randn([16, 32, 3, 3]), bias: try randn([16]), window: window(padding: [1, 1])),
            ConvolutionCase(label: "folded-groups-stride", input: try randn([3, 16, 7, 6]), weight: try randn([8, 8, 3, 3]), bias: nil,
                            window: window(stride: [2, 1], padding: [1, 0], dilation: [1, 2], groups: 2)),
        ]
    }

    /// Image inputs for pooling, with their window keywords.
    func poolingInputs(average: Bool) throws -> [(String, Tensor, [(String, ArgumentValue)])] {
        func window(_ k: [Int], stride: [Int] = [], padding: [Int] = [0, 0], dilation: [Int]? = nil, ceil: Bool = false) -> [(String, ArgumentValue)] {
            var w: [(String, ArgumentValue)] = [("kernel_size", .ints(k)), ("stride", .ints(stride)), ("padding", .ints(padding)), ("ceil_mode", .bool(ceil))]
            if let dilation, !average { w.append(("dilation", .ints(dilation))) }
            return w
        }
        if forGradcheck {
            return [("overlapping", try randn([1, 2, 5, 5]), window([2, 2], stride: [1, 1])),
                    ("padded", try randn([2, 1, 6, 6]), window([3, 3], stride: [2, 2], padding: [1, 1]))]
        }
        var inputs: [(String, Tensor, [(String, ArgumentValue)])] = [
            ("k3-s2-p1", try randn([2, 3, 9, 9]), window([3, 3], stride: [2, 2], padding: [1, 1])),
            ("k2", try randn([1, 2, 8, 7]), window([2, 2])),
            ("ceil", try randn([1, 2, 7, 7]), window([2, 2], stride: [2, 2], padding: [1, 1], ceil: true)),
            ("unbatched", try randn([3, 6, 6]), window([2, 3])),
            ("empty-batch", try randn([0, 2, 4, 4]), window([2, 2])),
            ("channels-last-view", try randn([2, 9, 9, 3]).permute([0, 3, 1, 2]), window([3, 3], stride: [2, 2])),
            ("specials", try specials(16).reshape([1, 1, 4, 4]), window([2, 2], stride: [1, 1])),
            ("28x28", try randn([4, 8, 28, 28]), window([2, 2])),
        ]
        if !average { inputs.append(("dilated", try randn([2, 2, 10, 10]), window([3, 3], stride: [1, 1], padding: [1, 1], dilation: [2, 2]))) }
        return inputs
    }

    func nnSamples(_ name: String) throws -> [OpSample]? {
        switch name {
        case "conv2d":
            return try convolutionCases().map { c in
                OpSample(label: c.label, keywords: [("input", .tensor(c.input)), ("weight", .tensor(c.weight)),
                                                    ("bias", c.bias.map(ArgumentValue.tensor) ?? .none)] + c.window, terms: c.terms + 1)
            }
        case "conv2d_backward_input", "conv2d_backward_weight":
            return try convolutionCases().map { c in
                let outShape = try GradMode.withNoGrad { try conv2d(c.input, weight: c.weight, stride: IntOrPair(list: c.window[0].1), padding: IntOrPair(list: c.window[1].1),
                                                                    dilation: IntOrPair(list: c.window[2].1), groups: c.groupCount) }.shape
                let grad = try randn(outShape)
                let keywords: [(String, ArgumentValue)] = name == "conv2d_backward_input"
                    ? [("grad_output", .tensor(grad)), ("weight", .tensor(c.weight)), ("input_size", .ints(c.input.shape))]
                    : [("grad_output", .tensor(grad)), ("input", .tensor(c.input)), ("weight_size", .ints(c.weight.shape))]
                let terms = name == "conv2d_backward_input" ? c.weight.count : outShape.reduce(1, *)
                return OpSample(label: c.label, keywords: keywords + c.window, terms: terms)
            }
        case "max_pool2d_with_indices", "avg_pool2d":
            return try poolingInputs(average: name == "avg_pool2d").flatMap { label, x, window -> [OpSample] in
                let base = OpSample(label: label, keywords: [("self", .tensor(x))] + window, terms: 9)
                guard name == "avg_pool2d", !forGradcheck else { return [base] }
                return [base, OpSample(label: label + " exclude-pad", keywords: base.keywords + [("count_include_pad", .bool(false))], terms: 9),
                        OpSample(label: label + " divisor", keywords: base.keywords + [("divisor_override", .int(3))], terms: 9)]
            }
        case "max_pool2d_with_indices_backward":
            // Indices from the forward on each pooling input (overlapping windows repeat
            // them), and a random upstream gradient of the pooled shape.
            return try poolingInputs(average: false).map { label, x, window in
                var keywords: [(String, ArgumentValue)] = [("self", .tensor(x))] + window
                if !keywords.contains(where: { $0.0 == "dilation" }) { keywords.append(("dilation", .ints([1, 1]))) }
                let forward = try GradMode.withNoGrad {
                    try Runtime.dispatcher().call(Op.maxPool2dWithIndices, Op.maxPool2dWithIndices.schema.bind([], keywords))
                }
                return OpSample(label: label, keywords: [("grad_output", .tensor(try randn(forward[0].shape)))] + keywords
                                    + [("indices", .tensor(forward[1]))], terms: 9)
            }
        case "avg_pool2d_backward":
            return try poolingInputs(average: true).map { label, x, window in
                let outShape = try GradMode.withNoGrad {
                    try Runtime.dispatcher().call(Op.avgPool2d, Op.avgPool2d.schema.bind([], [("self", .tensor(x))] + window))[0].shape
                }
                return OpSample(label: label, keywords: [("grad_output", .tensor(try randn(outShape))), ("input_size", .ints(x.shape))] + window, terms: 9)
            }
        case "native_batch_norm":
            return try batchNormSamples()
        case "layer_norm":
            return try layerNormSamples()
        case "embedding":
            let weight = try randn([10, 4])
            var out = [OpSample(label: "2d", keywords: [("input", .tensor(try indices([2, 3], below: 10))), ("weight", .tensor(weight))], terms: 1)]
            // padding_idx withholds its row's gradient on purpose, which finite differences
            // cannot know; NNTests checks that gradient.
            if !forGradcheck {
                out += [OpSample(label: "padding_idx", keywords: [("input", .tensor(try Tensor([Int64(2), 5, 2, 0], shape: [4]))), ("weight", .tensor(weight)),
                                                                  ("padding_idx", .int(-8))], terms: 1),
                        OpSample(label: "0d", keywords: [("input", .tensor(try Tensor([Int64(7)], shape: []))), ("weight", .tensor(weight))], terms: 1),
                        OpSample(label: "empty", keywords: [("input", .tensor(try indices([0], below: 10))), ("weight", .tensor(weight))], terms: 1),
                        OpSample(label: "transposed-weight", keywords: [("input", .tensor(try indices([65], below: 9))), ("weight", .tensor(try transposed(9, 7)))], terms: 1)]
            }
            return out
        case "one_hot":
            return [OpSample(label: "given", keywords: [("self", .tensor(try indices([65], below: 4))), ("num_classes", .int(5))], terms: 1),
                    OpSample(label: "inferred-2d", keywords: [("self", .tensor(try indices([3, 7], below: 6)))], terms: 1),
                    OpSample(label: "empty", keywords: [("self", .tensor(try indices([0], below: 3))), ("num_classes", .int(3))], terms: 1)]
        case "native_dropout":
            let p = [("p", ArgumentValue.double(0.4)), ("seed", .int(7))]
            if forGradcheck { return [OpSample(label: "p0.4", keywords: [("input", .tensor(try randn([3, 4])))] + p, terms: 1)] }
            return [OpSample(label: "1025", keywords: [("input", .tensor(try randn([3, 1025])))] + p, terms: 1),
                    OpSample(label: "p0", keywords: [("input", .tensor(try randn([9, 8]))), ("p", .double(0)), ("seed", .int(1))], terms: 1),
                    OpSample(label: "p1", keywords: [("input", .tensor(try randn([9, 8]))), ("p", .double(1)), ("seed", .int(1))], terms: 1),
                    OpSample(label: "transposed", keywords: [("input", .tensor(try transposed(9, 65)))] + p, terms: 1),
                    OpSample(label: "specials", keywords: [("input", .tensor(try specials(17)))] + p, terms: 1),
                    OpSample(label: "0d", keywords: [("input", .tensor(try randn([])))] + p, terms: 1),
                    OpSample(label: "empty", keywords: [("input", .tensor(try randn([0, 3])))] + p, terms: 1)]
        default:
            return nil
        }
    }

    func batchNormSamples() throws -> [OpSample] {
        func sample(_ label: String, _ x: Tensor, training: Bool, affine: Bool = true, running: Bool = false) throws -> OpSample {
            let c = x.shape[1]
            var keywords: [(String, ArgumentValue)] = [("input", .tensor(x)), ("training", .bool(training)), ("eps", .double(1e-5))]
            if affine { keywords += [("weight", .tensor(try uniform([c], 0.5, 1.5))), ("bias", .tensor(try randn([c])))] }
            else { keywords += [("weight", .none), ("bias", .none)] }
            if running { keywords += [("running_mean", .tensor(try randn([c]))), ("running_var", .tensor(try uniform([c], 0.5, 2)))] }
            else { keywords += [("running_mean", .none), ("running_var", .none)] }
            return OpSample(label: label, keywords: keywords, terms: x.count / c)
        }
        if forGradcheck {
            return [try sample("train-4d", try randn([3, 2, 2, 2]), training: true),
                    try sample("eval", try randn([4, 3]), training: false, running: true)]
        }
        return [try sample("train-4d", try randn([4, 3, 5, 5]), training: true),
                try sample("train-2d-no-affine", try randn([65, 9]), training: true, affine: false),
                try sample("train-channels-last-view", try randn([2, 6, 7, 5]).permute([0, 3, 1, 2]), training: true),
                try sample("train-28x28", try randn([16, 8, 28, 28]), training: true),
                try sample("eval", try randn([7, 3, 4]), training: false, running: true),
                try sample("eval-empty", try randn([0, 3]), training: false, running: true),
                try sample("train-specials", try specials(16).reshape([4, 2, 2]), training: true)]
    }

    func layerNormSamples() throws -> [OpSample] {
        func sample(_ label: String, _ x: Tensor, _ normalized: [Int], affine: Bool = true) throws -> OpSample {
            var keywords: [(String, ArgumentValue)] = [("input", .tensor(x)), ("normalized_shape", .ints(normalized)), ("eps", .double(1e-5))]
            if affine { keywords += [("weight", .tensor(try uniform(normalized, 0.5, 1.5))), ("bias", .tensor(try randn(normalized)))] }
            return OpSample(label: label, keywords: keywords, terms: normalized.reduce(1, *))
        }
        if forGradcheck { return [try sample("2d", try randn([3, 4]), [4]), try sample("3d", try randn([2, 2, 3]), [2, 3])] }
        return [try sample("rows", try randn([4, 6]), [6]), try sample("trailing-2", try randn([2, 3, 4]), [3, 4]),
                try sample("no-affine-1025", try randn([3, 1025]), [1025], affine: false), try sample("transposed", try transposed(9, 7), [7]),
                try sample("empty", try randn([0, 5]), [5]), try sample("specials", try specials(16).reshape([4, 4]), [4])]
    }
}

extension OpSamples.ConvolutionCase {
    var groupCount: Int { if case .int(let g) = window[3].1 { g } else { 1 } }
}

extension IntOrPair {
    init(list value: ArgumentValue) {
        if case .ints(let v) = value, v.count == 2 { self.init(v[0], v[1]) } else { self.init(1) }
    }
}
