import SwiftTorchCore

// Gradients of the nn-functional operators. Convolution and average pooling have backward
// operators of their own (with kernels); those are linear in each argument, so their
// gradients are convolutions and pools again, and double backward works. Normalisation is
// differentiated through its decomposition into reductions and elementwise operators.

enum NNGrad {
    /// The window arguments of a convolution call, passed on unchanged.
    private static func convolutionKeywords(_ ctx: BackwardContext) -> [(String, ArgumentValue)] {
        ["stride", "padding", "dilation", "groups"].map { ($0, ctx.arguments[$0]) }
    }

    static func convolution(_ input: Tensor, _ weight: Tensor, _ ctx: BackwardContext) throws -> Tensor {
        try dispatch(Op.conv2d, [.tensor(input), .tensor(weight)], convolutionKeywords(ctx))
    }

    static func inputGradient(_ grad: Tensor, _ weight: Tensor, inputShape: [Int], _ ctx: BackwardContext) throws -> Tensor {
        try dispatch(Op.conv2dBackwardInput, [.tensor(grad), .tensor(weight), .ints(inputShape)], convolutionKeywords(ctx))
    }

    static func weightGradient(_ grad: Tensor, _ input: Tensor, weightShape: [Int], _ ctx: BackwardContext) throws -> Tensor {
        try dispatch(Op.conv2dBackwardWeight, [.tensor(grad), .tensor(input), .ints(weightShape)], convolutionKeywords(ctx))
    }

    static let conv2d: Derivative = .init(saving: .inputs("input", "weight")) { ctx in
        let x = try ctx.input("input"), w = try ctx.input("weight"), g = ctx.grad
        return ctx.gradients([
            "input": try ctx.ifNeeded("input") { try inputGradient(g, w, inputShape: x.shape, ctx) },
            "weight": try ctx.ifNeeded("weight") { try weightGradient(g, x, weightShape: w.shape, ctx) },
            // Every dim but the channel dim (-3) is summed away.
            "bias": try ctx.ifNeeded("bias") { try g.sum(dim: (0..<g.rank).filter { $0 != g.rank - 3 }) },
        ])
    }

    /// `<backward_input(g, w), G> = <g, conv2d(G, w)>`, so the gradient in g is conv2d(G, w)
    /// and the one in w is backward_weight(g, G).
    static let conv2dBackwardInput: Derivative = .init(saving: .inputs("grad_output", "weight")) { ctx in
        let g = try ctx.input("grad_output"), w = try ctx.input("weight"), upstream = ctx.grad
        return ctx.gradients([
            "grad_output": try ctx.ifNeeded("grad_output") { try convolution(upstream, w, ctx) },
            "weight": try ctx.ifNeeded("weight") { try weightGradient(g, upstream, weightShape: w.shape, ctx) },
        ])
    }

    /// `<backward_weight(g, x), G> = <g, conv2d(x, G)>`: conv2d(x, G) in g, backward_input(g, G) in x.
    static let conv2dBackwardWeight: Derivative = .init(saving: .inputs("grad_output", "input")) { ctx in
        let g = try ctx.input("grad_output"), x = try ctx.input("input"), upstream = ctx.grad
        return ctx.gradients([
            "grad_output": try ctx.ifNeeded("grad_output") { try convolution(x, upstream, ctx) },
            "input": try ctx.ifNeeded("input") { try inputGradient(g, upstream, inputShape: x.shape, ctx) },
        ])
    }

    /// The window arguments of a max-pooling call, passed on unchanged.
    private static func maxPoolKeywords(_ ctx: BackwardContext) -> [(String, ArgumentValue)] {
        ["kernel_size", "stride", "padding", "dilation", "ceil_mode"].map { ($0, ctx.arguments[$0]) }
    }

    /// Each output's gradient goes to the input position its maximum came from, in one
    /// kernel (max_pool2d_with_indices_backward) that writes every input gradient once.
    /// `self` is passed as metadata only: the backward reads its shape, never its elements.
    static let maxPool2d: Derivative = .init(saving: .output) { ctx in
        let indices = try ctx.output(1)
        let grad = try dispatch(Op.maxPool2dWithIndicesBackward, [.tensor(ctx.grad), .tensor(ctx.metadata("self"))],
                                maxPoolKeywords(ctx) + [("indices", .tensor(indices))])
        return ctx.gradients(["self": grad])
    }

    /// max_pool2d_with_indices_backward is linear in grad_output: its gradient there reads
    /// the upstream gradient back at the saved indices (a gather). It does not depend on
    /// `self`'s values (PyTorch's formula gives zeros there).
    static let maxPool2dWithIndicesBackward: Derivative = .init(saving: .inputs("indices")) { ctx in
        let indices = try ctx.input("indices"), upstream = ctx.grad, g = ctx.metadata("grad_output")
        let grad = try ctx.ifNeeded("grad_output") { () -> Tensor in
            let planes = Array(upstream.shape.dropLast(2))
            // Explicit sizes, not -1: an empty batch leaves -1 undetermined.
            let flat = try upstream.reshape(planes + [upstream.shape[upstream.rank - 2] * upstream.shape[upstream.rank - 1]])
            let pooled = planes + [g.shape[g.rank - 2] * g.shape[g.rank - 1]]
            return try flat.gather(dim: planes.count, index: indices.reshape(pooled)).reshape(g.shape)
        }
        return ctx.gradients(["grad_output": grad])
    }

    /// The window arguments of a pooling call, passed on unchanged.
    private static func avgPoolKeywords(_ ctx: BackwardContext) -> [(String, ArgumentValue)] {
        ["kernel_size", "stride", "padding", "ceil_mode", "count_include_pad", "divisor_override"].map { ($0, ctx.arguments[$0]) }
    }

    static let avgPool2d: Derivative = .init(saving: .nothing) { ctx in
        let x = ctx.metadata("self")
        return ctx.gradients(["self": try dispatch(Op.avgPool2dBackward, [.tensor(ctx.grad), .ints(x.shape)], avgPoolKeywords(ctx))])
    }

    /// avg_pool2d_backward is the adjoint of avg_pool2d, so its own gradient is avg_pool2d.
    static let avgPool2dBackward: Derivative = .init(saving: .nothing) { ctx in
        ctx.gradients(["grad_output": try dispatch(Op.avgPool2d, [.tensor(ctx.grad)], avgPoolKeywords(ctx))])
    }

    /// `(x - mean) / sqrt(var + eps) * weight + bias` with the batch's statistics (training)
    /// or the running ones (evaluation, which also differentiates with respect to them).
    static let nativeBatchNorm: Derivative = derivativeByDecomposition(["input", "weight", "bias", "running_mean", "running_var"]) { ctx, t in
        let x = t["input"]!
        var perChannel = [Int](repeating: 1, count: x.rank)
        perChannel[1] = x.shape[1]
        let normalized: Tensor
        if ctx.arguments.bool("training") {
            let dims = (0..<x.rank).filter { $0 != 1 }
            let mean = try x.mean(dim: dims, keepdim: true)
            let variance = try x.var(dim: dims, correction: 0, keepdim: true)
            normalized = try (x - mean) * (variance + ctx.arguments.double("eps")).rsqrt()
        } else {
            let mean = try t["running_mean"]!.reshape(perChannel)
            let variance = try t["running_var"]!.reshape(perChannel)
            normalized = try (x - mean) * (variance + ctx.arguments.double("eps")).rsqrt()
        }
        return try affine(normalized, weight: t["weight"].map { try $0.reshape(perChannel) }, bias: t["bias"].map { try $0.reshape(perChannel) })
    }

    static let layerNorm: Derivative = derivativeByDecomposition(["input", "weight", "bias"]) { ctx, t in
        let x = t["input"]!
        let dims = Array((x.rank - ctx.arguments.ints("normalized_shape").count)..<x.rank)
        let mean = try x.mean(dim: dims, keepdim: true)
        let variance = try x.var(dim: dims, correction: 0, keepdim: true)
        let normalized = try (x - mean) * (variance + ctx.arguments.double("eps")).rsqrt()
        return try affine(normalized, weight: t["weight"], bias: t["bias"])
    }

    private static func affine(_ x: Tensor, weight: Tensor?, bias: Tensor?) throws -> Tensor {
        var y = x
        if let weight { y = try y * weight }
        if let bias { y = try y + bias }
        return y
    }

    /// Each output row's gradient is added to the weight row it was read from, except at
    /// `padding_idx`.
    static let embedding: Derivative = .init(saving: .inputs("input")) { ctx in
        let indices = try ctx.input("input"), w = ctx.metadata("weight"), g = ctx.grad
        return ctx.gradients(["weight": try ctx.ifNeeded("weight") {
            let flat = try indices.reshape([-1])
            var rows = try g.reshape([-1, w.shape[1]])
            // Saved arguments are the caller's, before the meta rule wrapped a negative index.
            if let given = ctx.arguments.optionalInt("padding_idx") {
                let padding = given < 0 ? given + w.shape[0] : given
                rows = try rows * flat.ne(Double(padding)).to(g.dtype).unsqueeze(1)
            }
            return try Tensor.zeros(like: w).indexAdd(dim: 0, index: flat, source: rows)
        }])
    }

    /// The same mask, from the same seed, applied to the gradient.
    static let nativeDropout: Derivative = .init(saving: .nothing) { ctx in
        ctx.gradients(["input": try dispatch(Op.nativeDropout, [.tensor(ctx.grad), .double(ctx.arguments.double("p")),
                                                                .int(ctx.arguments.int("seed"))])])
    }
}
