import SwiftTorchCore

// Gradient formulas of reductions and softmax: the output gradient is broadcast back over
// the reduced dims.

enum ReductionGrad {
    /// The output gradient reshaped to broadcast against the input.
    static func expandedGrad(_ ctx: BackwardContext, _ g: Tensor? = nil) throws -> Tensor {
        let x = ctx.metadata("self")
        let keepdim = ctx.arguments.schema.arguments.contains { $0.name == "keepdim" } ? ctx.arguments.bool("keepdim") : true
        return try (g ?? ctx.grad).unsqueezeReduced(reducedDims(ctx, rank: x.rank), keepdim: keepdim, inputRank: x.rank)
    }

    static func expandedResult(_ ctx: BackwardContext, _ y: Tensor) throws -> Tensor { try expandedGrad(ctx, y) }

    static let sum: Derivative = .init(saving: .nothing) { ctx in
        let x = ctx.metadata("self")
        return ctx.gradients(["self": try expandedGrad(ctx).expand(x.shape).to(x.dtype)])
    }
    static let mean: Derivative = .init(saving: .nothing) { ctx in
        let x = ctx.metadata("self")
        let n = reducedDims(ctx, rank: x.rank).map { x.rank == 0 ? 1 : x.shape[$0] }.reduce(1, *)
        return ctx.gradients(["self": try (expandedGrad(ctx) / Double(n)).expand(x.shape).to(x.dtype)])
    }
    /// d prod / d x_i is the product of the other elements; zeros need care: with one zero in
    /// a group only that element gets a gradient, with two or more none does.
    static let prod: Derivative = .init(saving: .inputs("self", outputs: true)) { ctx in
        let x = try ctx.input("self")
        let dims = reducedDims(ctx, rank: x.rank)
        let g = try expandedGrad(ctx)
        let y = try expandedResult(ctx, ctx.result)
        let isZero = try x.eq(0.0)
        let zeros = try isZero.sum(dim: x.rank == 0 ? nil : dims, keepdim: true)
        let nonzeroProduct = try productKeepingDims(SwiftTorch.where(isZero, Tensor.ones(like: x), x), dims)
        let safe = try SwiftTorch.where(isZero, Tensor.ones(like: x), x)
        let noZero = try y / safe
        let oneZero = try SwiftTorch.where(isZero, nonzeroProduct.expand(x.shape), Tensor.zeros(like: x))
        let local = try SwiftTorch.where(zeros.eq(0.0), noZero, SwiftTorch.where(zeros.eq(1.0), oneZero, Tensor.zeros(like: x)))
        return ctx.gradients(["self": try g * local])
    }

    private static func productKeepingDims(_ x: Tensor, _ dims: [Int]) throws -> Tensor {
        var p = x
        for d in dims where x.rank > 0 { p = try p.prod(dim: d, keepdim: true) }
        return p
    }

    /// amax/amin (and max/min over all elements): ties share the gradient evenly.
    static let evenlyAmongExtrema: Derivative = .init(saving: .inputs("self", outputs: true)) { ctx in
        let x = try ctx.input("self")
        let y = try expandedResult(ctx, ctx.result)
        let mask = try x.eq(y).to(x.dtype)
        let dims = reducedDims(ctx, rank: x.rank)
        let count = try mask.sum(dim: x.rank == 0 ? nil : dims, keepdim: true)
        return ctx.gradients(["self": try expandedGrad(ctx) * mask / count])
    }

    /// max/min: with `dim`, only the selected index gets the gradient; without, ties share it.
    static let selected: Derivative = .init(saving: .inputs("self", outputs: true)) { ctx in
        guard let dim = ctx.arguments.optionalInt("dim") else { return try evenlyAmongExtrema.formula(ctx) }
        let x = try ctx.input("self")
        if x.rank == 0 { return ctx.gradients(["self": ctx.grad]) }
        let d = dim < 0 ? dim + x.rank : dim
        let keepdim = ctx.arguments.bool("keepdim")
        let g = keepdim ? ctx.grad : try ctx.grad.unsqueeze(d)
        let indices = keepdim ? try ctx.output(1) : try ctx.output(1).unsqueeze(d)
        var positionsShape = [Int](repeating: 1, count: x.rank)
        positionsShape[d] = x.shape[d]
        let positions = try Tensor.arange(x.shape[d], device: x.device).reshape(positionsShape)
        let chosen = try positions.eq(indices)
        return ctx.gradients(["self": try SwiftTorch.where(chosen, g.expand(x.shape), Tensor.zeros(like: x))])
    }

    static let variance: Derivative = .init(saving: .inputs("self")) { ctx in
        let x = try ctx.input("self")
        let dims = reducedDims(ctx, rank: x.rank)
        let n = dims.map { x.rank == 0 ? 1 : x.shape[$0] }.reduce(1, *)
        let correction = ctx.arguments.optionalDouble("correction") ?? 1
        let centered = try x - x.mean(dim: x.rank == 0 ? nil : dims, keepdim: true)
        let g = try expandedGrad(ctx) * (2 / Swift.max(Double(n) - correction, 0))
        return ctx.gradients(["self": try g * centered])
    }
    static let std: Derivative = .init(saving: .inputs("self", outputs: true)) { ctx in
        let x = try ctx.input("self")
        let dims = reducedDims(ctx, rank: x.rank)
        let n = dims.map { x.rank == 0 ? 1 : x.shape[$0] }.reduce(1, *)
        let correction = ctx.arguments.optionalDouble("correction") ?? 1
        let centered = try x - x.mean(dim: x.rank == 0 ? nil : dims, keepdim: true)
        let s = try expandedResult(ctx, ctx.result)
        let g = try expandedGrad(ctx) / (s * Swift.max(Double(n) - correction, 0))
        return ctx.gradients(["self": try g * centered])
    }
    static let logsumexp: Derivative = .init(saving: .inputs("self")) { ctx in
        let x = try ctx.input("self")
        // exp(x - y) is the softmax; an all -inf group (y = -inf) gives NaN, as in PyTorch.
        // y is recomputed in float64: the float32 result, rounded at large magnitudes
        // (an ulp of 1000 is 6e-5), would make the softmax off by as much.
        let x64 = try x.to(.float64)
        let dims = reducedDims(ctx, rank: x.rank)
        let y64 = try x64.logsumexp(dim: dims, keepdim: true)
        return ctx.gradients(["self": try expandedGrad(ctx) * (x64 - y64).exp().to(x.dtype)])
    }
    /// The gradient of a running sum is the reversed running sum of the gradient:
    /// total - cumsum(g) + g.
    static let cumsum: Derivative = .init(saving: .nothing) { ctx in
        let x = ctx.metadata("self")
        if x.rank == 0 { return ctx.gradients(["self": ctx.grad]) }
        let d = ctx.arguments.int("dim")
        let g = ctx.grad
        let total = try g.sum(dim: [d], keepdim: true)
        return ctx.gradients(["self": try (total - g.cumsum(dim: d) + g).to(x.dtype)])
    }
    /// One fused call each, as PyTorch: _softmax_backward_data / _log_softmax_backward_data
    /// of the saved output.
    static let softmax = fusedSoftmax(log: false)
    static let logSoftmax = fusedSoftmax(log: true)

    private static func fusedSoftmax(log: Bool) -> Derivative {
        Derivative(saving: .output) { ctx in
            let y = try ctx.result, d = ctx.arguments.int("dim"), inputDType = ctx.metadata("self").dtype
            guard hasFusedKernel(log ? Op.logSoftmaxBackwardData : Op.softmaxBackwardData, on: y) else {
                return try (log ? logSoftmaxDecomposed : softmaxDecomposed).formula(ctx)
            }
            // The kernel computes in the output's dtype; a softmax taken with another `dtype`
            // is cast back to its input's afterwards.
            let g = try softmaxBackwardData(ctx.grad, output: y, dim: d, inputDType: y.dtype, log: log)
            return ctx.gradients(["self": try g.to(inputDType)])
        }
    }

    /// The former decompositions: the oracles of the fused operators' tests, and the path of
    /// a device backend without them.
    static let softmaxDecomposed: Derivative = .init(saving: .output) { ctx in
        let y = try ctx.result, g = ctx.grad, d = ctx.arguments.int("dim")
        return ctx.gradients(["self": try (y * (g - (g * y).sum(dim: [d], keepdim: true))).to(ctx.metadata("self").dtype)])
    }
    static let logSoftmaxDecomposed: Derivative = .init(saving: .output) { ctx in
        let y = try ctx.result, g = ctx.grad, d = ctx.arguments.int("dim")
        return ctx.gradients(["self": try (g - y.exp() * g.sum(dim: [d], keepdim: true)).to(ctx.metadata("self").dtype)])
    }
}
