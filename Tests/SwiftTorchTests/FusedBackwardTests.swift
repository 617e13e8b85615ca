import Testing
@testable import SwiftTorch
import SwiftTorchCore
#if canImport(Glibc)
import Glibc
#endif

/// The fused backward operators against the decompositions they replaced (kept as oracles),
/// on every CPU backend, in float32 and float64, with non-contiguous inputs, special values,
/// empty and 0-d tensors; and PyTorch's semantics where the decomposition differed.
@Suite("Fused backward operators")
struct FusedBackwardTests {
    static var backends: [String] {
        Runtime.registry.backends.filter { $0.availability.isAvailable && $0.deviceKind.isCPU }.map(\.name)
    }

    /// Runs both formulas on `backend` under no-grad (as the engine does) and compares.
    private func expectAgreement(_ label: String, _ op: OperatorHandle, _ positional: [ArgumentValue], _ keywords: [(String, ArgumentValue)] = [],
                                 fused: Derivative, oracle: Derivative, needsGrad: [Bool], backend: String, dtype: DType) throws {
        try Runtime.withBackend(backend) {
            try withNoGrad {
                let arguments = try op.schema.bind(positional, keywords)
                let outputs = try Runtime.dispatcher().call(op, arguments)
                let g = try grad(like: outputs[0])
                let ctx = BackwardContext(arguments: arguments, outputs: outputs, gradOutputs: [g], needsGrad: needsGrad)
                let ours = try fused.formula(ctx), expected = try oracle.formula(ctx)
                #expect(ours.count == expected.count)
                let tolerance = dtype == .float32 ? Tolerance(rtol: 1e-4, atol: 1e-5) : Tolerance(rtol: 1e-10, atol: 1e-12)
                for (a, b) in zip(ours, expected) {
                    guard let b else { continue }
                    let a = try #require(a, "\(label): the fused formula gave no gradient where the oracle did")
                    if let mismatch = try TensorComparison.compare(a, b, tolerance: tolerance) {
                        Issue.record("\(label) on \(backend) \(dtype): \(mismatch.message)")
                    }
                }
            }
        }
    }

    /// A gradient with a transposed layout when it can have one.
    private func grad(like y: Tensor) throws -> Tensor {
        let values = (0..<y.count).map { Double(($0 * 7919) % 23) / 11 - 1 }
        if y.rank == 2 {
            return try Tensor(values, shape: [y.shape[1], y.shape[0]], dtype: y.dtype).t()
        }
        return try Tensor(values, shape: y.shape, dtype: y.dtype)
    }

    private func inputs(_ dtype: DType) throws -> [(String, Tensor)] {
        let samples = OpSamples(dtype: dtype, forGradcheck: false)
        return [
            ("matrix", try samples.randn([9, 65], scale: 3)), ("transposed", try samples.transposed(7, 33)),
            ("stepped", try samples.stepped(65).reshape([5, 13])), ("large", try samples.randn([4, 6], scale: 1e4)),
            ("infinities", try Tensor([1, -.infinity, 3, .infinity, 0, -0.0, -2, 1e30], shape: [2, 4], dtype: dtype)),
            ("empty", try samples.randn([0, 5])), ("0d", try samples.randn([])),
        ]
    }

    /// max_pool2d's previous gradient, kept as the oracle: zeros + scatter_add at the indices.
    private func maxPoolScatterOracle(_ g: Tensor, _ indices: Tensor, inputShape: [Int]) throws -> Tensor {
        let planes = Array(inputShape.dropLast(2))
        let pooled = planes + [g.shape[g.rank - 2] * g.shape[g.rank - 1]]
        return try Tensor.zeros(planes + [inputShape[inputShape.count - 2] * inputShape[inputShape.count - 1]], dtype: g.dtype)
            .scatterAdd(dim: planes.count, index: indices.reshape(pooled), source: g.reshape(pooled)).reshape(inputShape)
    }

    @Test("max_pool2d_with_indices_backward equals zeros + scatter_add at the indices on every backend", arguments: FusedBackwardTests.backends)
    func maxPoolBackwardMatchesScatter(backend: String) throws {
        for dtype in [DType.float32, .float64] {
            let samples = OpSamples(dtype: dtype, forGradcheck: false)
            var withNaN = try samples.randn([2, 3, 7, 7]).toArray(of: Double.self)
            for i in stride(from: 0, to: withNaN.count, by: 5) { withNaN[i] = .nan }
            withNaN[1] = .nan
            // (label, input, kernel, stride, padding, dilation, ceil_mode)
            let cases: [(String, Tensor, [Int], [Int], [Int], [Int], Bool)] = [
                ("digits 2x2", try samples.randn([4, 32, 8, 8]), [2, 2], [2, 2], [0, 0], [1, 1], false),
                ("overlapping k3 s1", try samples.randn([2, 3, 9, 8]), [3, 3], [1, 1], [0, 0], [1, 1], false),
                ("overlapping k3 s2 p1", try samples.randn([2, 2, 9, 9]), [3, 3], [2, 2], [1, 1], [1, 1], false),
                ("dilated", try samples.randn([2, 2, 10, 11]), [3, 2], [1, 2], [1, 1], [2, 3], false),
                ("ceil", try samples.randn([1, 3, 7, 7]), [3, 3], [2, 2], [1, 1], [1, 1], true),
                ("nan", try Tensor(withNaN, shape: [2, 3, 7, 7], dtype: dtype), [3, 3], [1, 2], [1, 0], [1, 1], true),
                ("unbatched", try samples.randn([3, 6, 5]), [2, 3], [1, 1], [0, 1], [1, 1], false),
                ("empty batch", try samples.randn([0, 2, 4, 4]), [2, 2], [2, 2], [0, 0], [1, 1], false),
            ]
            try Runtime.withBackend(backend) {
                for (label, x, kernel, stride, padding, dilation, ceil) in cases {
                    let window: [(String, ArgumentValue)] = [("kernel_size", .ints(kernel)), ("stride", .ints(stride)), ("padding", .ints(padding)),
                                                             ("dilation", .ints(dilation)), ("ceil_mode", .bool(ceil))]
                    let forward = try Runtime.dispatcher().call(Op.maxPool2dWithIndices, Op.maxPool2dWithIndices.schema.bind([.tensor(x)], window))
                    let g = try grad(like: forward[0])
                    let ours = try dispatch(Op.maxPool2dWithIndicesBackward, [.tensor(g), .tensor(x)], window + [("indices", .tensor(forward[1]))])
                    let expected = try maxPoolScatterOracle(g, forward[1], inputShape: x.shape)
                    #expect(ours.shape == x.shape && ours.dtype == dtype, "\(label) on \(backend) \(dtype)")
                    // The same additions in the same order: equal bit for bit.
                    if let mismatch = try TensorComparison.compare(ours, expected, tolerance: Tolerance(rtol: 0, atol: 0)) {
                        Issue.record("\(label) on \(backend) \(dtype): \(mismatch.message)")
                    }
                    // Through autograd (max_pool2d's derivative now calls it).
                    let leaf = try x.detach().requiringGrad()
                    let y = try maxPool2d(leaf, kernelSize: IntOrPair(list: .ints(kernel)), stride: IntOrPair(list: .ints(stride)),
                                          padding: IntOrPair(list: .ints(padding)), dilation: IntOrPair(list: .ints(dilation)), ceilMode: ceil)
                    try (y * g).sum().backward()
                    let viaAutograd = try #require(leaf.grad, "\(label): no gradient")
                    if let mismatch = try TensorComparison.compare(viaAutograd, expected, tolerance: Tolerance(rtol: 0, atol: 0)) {
                        Issue.record("\(label) through autograd on \(backend) \(dtype): \(mismatch.message)")
                    }
                }
            }
        }
    }

    @Test("max_pool2d_with_indices on small images: the first maximum wins a tie, the last NaN wins, a window of -inf reports its first tap", arguments: FusedBackwardTests.backends)
    func maxPoolSmallImageRule(backend: String) throws {
        let nan = Double.nan, inf = Double.infinity
        // Two 4x4 planes pooled 2x2 with stride 2 (every window inside: the plane kernel).
        let values: [Double] = [1, 3, nan, 0,
                                3, 2, 5, nan,
                                -inf, -inf, 7, 7,
                                -inf, -inf, 7, 6,
                                0, 0, -1, 2,
                                0, 0, inf, -2,
                                4, nan, -3, -3,
                                4, 4, -3, -4]
        try Runtime.withBackend(backend) {
            for dtype in [DType.float32, .float64] {
                let x = try Tensor(values, shape: [2, 1, 4, 4], dtype: dtype)
                let (y, indices) = try maxPool2dWithIndices(x, kernelSize: 2, stride: 2)
                let got = try y.toArray(of: Double.self)
                let expected: [Double] = [3, nan, -inf, 7, 0, inf, nan, -3]
                #expect(zip(got, expected).allSatisfy { $0 == $1 || ($0.isNaN && $1.isNaN) }, "\(backend) \(dtype): \(got)")
                #expect(try indices.toArray(of: Int64.self) == [1, 7, 8, 10, 0, 6, 9, 10], "\(backend) \(dtype)")
            }
        }
    }

    @Test("max_pool2d_with_indices_backward adds repeated indices and rejects one outside the plane", arguments: FusedBackwardTests.backends)
    func maxPoolBackwardValues(backend: String) throws {
        try Runtime.withBackend(backend) {
            for dtype in [DType.float32, .float64] {
                let x = try Tensor([Double](repeating: 0, count: 9), shape: [1, 1, 3, 3], dtype: dtype)
                let window: [(String, ArgumentValue)] = [("kernel_size", .ints([2, 2])), ("stride", .ints([1, 1])), ("padding", .ints([0, 0])),
                                                         ("dilation", .ints([1, 1])), ("ceil_mode", .bool(false))]
                let g = try Tensor([1.5, 2, -4, 8], shape: [1, 1, 2, 2], dtype: dtype)
                let indices = try Tensor([Int64(4), 4, 0, 8], shape: [1, 1, 2, 2])
                let out = try dispatch(Op.maxPool2dWithIndicesBackward, [.tensor(g), .tensor(x)], window + [("indices", .tensor(indices))])
                #expect(try out.toArray(of: Double.self) == [-4, 0, 0, 0, 3.5, 0, 0, 0, 8], "\(backend) \(dtype)")
                let bad = try Tensor([Int64(4), 9, 0, 8], shape: [1, 1, 2, 2])
                #expect(throws: TorchError.self, "\(backend) \(dtype)") {
                    try dispatch(Op.maxPool2dWithIndicesBackward, [.tensor(g), .tensor(x)], window + [("indices", .tensor(bad))])
                }
            }
        }
    }

    @Test("relu's threshold_backward equals g * (y > 0) on every backend", arguments: FusedBackwardTests.backends)
    func reluMatchesDecomposition(backend: String) throws {
        for dtype in [DType.float32, .float64] {
            for (label, x) in try inputs(dtype) {
                try expectAgreement("relu [\(label)]", Op.relu, [.tensor(x)], fused: ElementwiseGrad.relu, oracle: ElementwiseGrad.reluDecomposed,
                                    needsGrad: [true], backend: backend, dtype: dtype)
            }
        }
    }

    @Test("softmax and log_softmax backward data equal their decompositions on every backend", arguments: FusedBackwardTests.backends)
    func softmaxMatchesDecomposition(backend: String) throws {
        for dtype in [DType.float32, .float64] {
            // A NaN spreads through its row and column in both forms alike.
            let nan = try Tensor([0.5, .nan, -1, 2, 0, 1], shape: [2, 3], dtype: dtype)
            for (label, x) in try inputs(dtype) + [("nan", nan)] {
                for dim in x.rank == 0 ? [0] : [0, -1] {
                    try expectAgreement("softmax [\(label)] dim \(dim)", Op.softmax, [.tensor(x), .int(dim)], fused: ReductionGrad.softmax,
                                        oracle: ReductionGrad.softmaxDecomposed, needsGrad: [true], backend: backend, dtype: dtype)
                    try expectAgreement("log_softmax [\(label)] dim \(dim)", Op.logSoftmax, [.tensor(x), .int(dim)], fused: ReductionGrad.logSoftmax,
                                        oracle: ReductionGrad.logSoftmaxDecomposed, needsGrad: [true], backend: backend, dtype: dtype)
                }
            }
        }
    }

    /// (input, target) pairs: ignored targets, a spatial input, a 1-D input, an empty batch.
    private func classificationCases(_ dtype: DType) throws -> [(String, Tensor, Tensor)] {
        let samples = OpSamples(dtype: dtype, forGradcheck: false)
        return [
            ("batch", try samples.randn([7, 10], scale: 3), try Tensor([Int64(-100), 3, 9, 0, 3, -100, 5], shape: [7])),
            ("transposed", try samples.transposed(6, 5), try Tensor([Int64(4), 0, 1, 2, 3, 4], shape: [6])),
            ("large logits", try samples.randn([4, 6], scale: 1e4), try Tensor([Int64(1), 5, 0, 2], shape: [4])),
            ("spatial", try samples.randn([2, 4, 3]), try samples.indices([2, 3], below: 4)),
            ("1-D", try samples.randn([5]), try Tensor([Int64(2)], shape: [])),
            ("empty", try samples.randn([0, 4]), try Tensor([Int64](), shape: [0])),
            ("nan logit", try Tensor([0.5, .nan, -1, 2, 0, 1], shape: [2, 3], dtype: dtype), try Tensor([Int64(0), 2], shape: [2])),
        ]
    }

    @Test("nll_loss_backward and cross_entropy's fused backward equal the decompositions on every backend", arguments: FusedBackwardTests.backends)
    func lossesMatchDecomposition(backend: String) throws {
        for dtype in [DType.float32, .float64] {
            for (label, x, target) in try classificationCases(dtype) {
                let classes = x.shape[x.rank == 1 ? 0 : 1]
                let weight = try Tensor((0..<classes).map { 0.5 + Double($0) / 4 }, shape: [classes], dtype: dtype)
                let logp = try x.logSoftmax(dim: x.rank == 1 ? 0 : 1)
                for reduction in ["mean", "sum", "none"] {
                    // An empty batch's mean is 0 / 0 in the decomposition; checked below instead.
                    if reduction == "mean" && x.count == 0 { continue }
                    for w in [nil, weight] {
                        let keywords: [(String, ArgumentValue)] = [("weight", w.map { .tensor($0) } ?? .none), ("reduction", .string(reduction))]
                        let name = "[\(label)] \(reduction)\(w == nil ? "" : " weighted")"
                        try expectAgreement("nll_loss \(name)", Op.nllLoss, [.tensor(logp), .tensor(target)], keywords, fused: LossGrad.nll,
                                            oracle: LossGrad.nllDecomposed, needsGrad: [true, false] + (w == nil ? [] : [false]), backend: backend, dtype: dtype)
                        try expectAgreement("cross_entropy \(name)", Op.crossEntropy, [.tensor(x), .tensor(target)], keywords, fused: LossGrad.crossEntropy,
                                            oracle: LossGrad.crossEntropyDecomposed, needsGrad: [true, false] + (w == nil ? [] : [false]), backend: backend, dtype: dtype)
                    }
                }
            }
        }
    }

    // PyTorch's semantics where the decompositions differed.

    @Test("threshold_backward passes the gradient where the saved value is NaN and gives 0, not NaN, for an infinite gradient below the threshold", arguments: FusedBackwardTests.backends)
    func thresholdBackwardSpecials(backend: String) throws {
        for dtype in [DType.float32, .float64] {
            try Runtime.withBackend(backend) {
                let g = try Tensor([2, .infinity, .nan, -3, 5], shape: [5], dtype: dtype)
                let x = try Tensor([.nan, -1, 0, 0.25, 0.5], shape: [5], dtype: dtype)
                let out = try thresholdBackward(g, x, threshold: 0.25)
                let values = try out.toArray(of: Double.self)
                #expect(values[0] == 2 && values[1] == 0 && values[2] == 0 && values[3] == 0 && values[4] == 5, "\(values) on \(backend)")
            }
        }
    }

    @Test("float32 compares the threshold in float32, as PyTorch converts the scalar", arguments: FusedBackwardTests.backends)
    func thresholdInTensorDType(backend: String) throws {
        try Runtime.withBackend(backend) {
            // Float(0.1) is slightly above 0.1: it is <= the float32 threshold, not the double one.
            let x = try Tensor([Double(Float(0.1))], shape: [1], dtype: .float32)
            let out = try thresholdBackward(Tensor([1.0], shape: [1], dtype: .float32), x, threshold: 0.1)
            #expect(try out.toArray(of: Double.self) == [0])
        }
    }

    @Test("nll_loss_backward with every target ignored gives zeros for the mean, as PyTorch", arguments: FusedBackwardTests.backends)
    func allIgnoredMeanIsZero(backend: String) throws {
        try Runtime.withBackend(backend) {
            let logp = try Tensor([[-1.0, -2.0], [-0.5, -3.0]])
            let target = try Tensor([Int64(-100), -100], shape: [2])
            let out = try nllLossBackward(Tensor(1.0), input: logp, target: target, weight: nil, reduction: "mean", ignoreIndex: -100)
            #expect(try out.toArray(of: Double.self) == [0, 0, 0, 0])
        }
    }

    @Test("nll_loss_backward writes -w[t] * g / total at each target", arguments: FusedBackwardTests.backends)
    func nllLossBackwardValues(backend: String) throws {
        try Runtime.withBackend(backend) {
            let logp = try Tensor([[-1.0, -2.0, -3.0], [-0.5, -3.0, -1.0], [-2.0, -2.0, -2.0]])
            let target = try Tensor([Int64(2), -100, 0], shape: [3])
            let weight = try Tensor([1.0, 2.0, 3.0])
            let mean = try nllLossBackward(Tensor(2.0), input: logp, target: target, weight: weight, reduction: "mean", ignoreIndex: -100)
            // total weight 3 + 1 = 4; -w[t] * 2 / 4.
            #expect(try mean.toArray(of: Double.self) == [0, 0, -1.5, 0, 0, 0, -0.5, 0, 0])
            let none = try nllLossBackward(Tensor([1.0, 7.0, -2.0]), input: logp, target: target, weight: nil, reduction: "none", ignoreIndex: -100)
            #expect(try none.toArray(of: Double.self) == [0, 0, -1, 0, 0, 0, 2, 0, 0])
            let given = try nllLossBackward(Tensor(1.0), input: logp, target: target, weight: nil, reduction: "mean", ignoreIndex: -100, totalWeight: Tensor(4.0))
            #expect(try given.toArray(of: Double.self) == [0, 0, -0.25, 0, 0, 0, -0.25, 0, 0])
        }
    }

    @Test("softmax backward data writes y * (g - sum(g y)); the log form g - exp(y) sum(g)", arguments: FusedBackwardTests.backends)
    func softmaxBackwardValues(backend: String) throws {
        try Runtime.withBackend(backend) {
            let y = try Tensor([0.25, 0.75, 0.5, 0.5], shape: [2, 2], dtype: .float64)
            let g = try Tensor([1.0, -1.0, 2.0, 4.0], shape: [2, 2], dtype: .float64)
            let soft = try softmaxBackwardData(g, output: y, dim: 1, inputDType: .float64, log: false)
            // Row 0: s = -0.5 -> [0.375, -0.375]; row 1: s = 3 -> [-0.5, 0.5].
            #expect(try soft.toArray(of: Double.self) == [0.375, -0.375, -0.5, 0.5])
            // Computed in float32 (exactly, here), written in the input dtype float64.
            let mixed = try softmaxBackwardData(g.to(.float32), output: y.to(.float32), dim: 1, inputDType: .float64, log: false)
            #expect(mixed.dtype == .float64)
            #expect(try mixed.toArray(of: Double.self) == [0.375, -0.375, -0.5, 0.5])
            let logY = try Tensor([0.0, -1.0], shape: [1, 2], dtype: .float64)
            let logG = try Tensor([1.0, 2.0], shape: [1, 2], dtype: .float64)
            let logGrad = try softmaxBackwardData(logG, output: logY, dim: 1, inputDType: .float64, log: true)
            let e = exp(-1.0)
            #expect(try logGrad.toArray(of: Double.self) == [1 - 3, 2 - e * 3])
        }
    }

    @Test("cross_entropy over relu over linear: the fused backward path gives the decomposition's gradient end to end")
    func fusedPathEndToEnd() throws {
        let x = try Tensor.randn([4, 6])
        let w = try Tensor.randn([5, 6]).requiringGrad()
        let logits = try linear(x, weight: w).relu()
        let loss = try crossEntropy(logits, Tensor([Int64(0), 1, 4, 2], shape: [4]))
        #expect(loss.gradFn?.name == "CrossEntropyBackward0")
        try loss.backward()
        // Against the decomposition-based gradient of the same loss.
        let w2 = try w.detach().clone().requiringGrad()
        let h = try linear(x, weight: w2)
        let r = try h * h.gt(0.0).to(h.dtype)
        let logp = try r.logSoftmax(dim: 1)
        let picked = try logp.gather(dim: 1, index: Tensor([Int64(0), 1, 4, 2], shape: [4, 1]))
        try (picked.sum() * -0.25).backward()
        let mismatch = try TensorComparison.compare(try #require(w.grad), try #require(w2.grad), tolerance: Tolerance(rtol: 1e-5, atol: 1e-6))
        #expect(mismatch == nil, "\(mismatch?.message ?? "")")
    }
}
