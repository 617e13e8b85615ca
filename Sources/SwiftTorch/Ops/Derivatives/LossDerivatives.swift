import SwiftTorchCore

// The losses are differentiated through a decomposition into registered operators, with
// the same case analysis as the forward kernels (class indices or probabilities, class
// weights, ignore_index, label smoothing, reductions).

enum LossGrad {
    static func reduce(_ perElement: Tensor, _ reduction: String, meanDivisor: Tensor? = nil) throws -> Tensor {
        switch reduction {
        case "none": return perElement
        case "sum": return try perElement.sum()
        default: return try meanDivisor.map { try perElement.sum() / $0 } ?? perElement.mean()
        }
    }

    static let mse: Derivative = derivativeByDecomposition(["self", "target"]) { ctx, t in
        let diff = try t["self"]! - t["target"]!
        return try reduce(diff * diff, ctx.arguments.string("reduction"))
    }

    /// Shared by cross_entropy (on log_softmax of the logits) and nll_loss (on log-probabilities).
    static func classification(_ ctx: BackwardContext, logp: Tensor, target: Tensor, weight: Tensor?, smoothing: Double) throws -> Tensor {
        let classDim = logp.rank == 1 ? 0 : 1
        let classes = logp.shape[classDim]
        var weightShape = [Int](repeating: 1, count: logp.rank)
        weightShape[classDim] = classes
        let reduction = ctx.arguments.string("reduction")
        if target.dtype.isFloatingPoint {
            // Probability targets: -sum_c w_c ((1 - ls) p_c + ls / C) logp_c, mean over samples.
            var mix = try target * (1 - smoothing) + smoothing / Double(classes)
            if let weight { mix = try mix * weight.reshape(weightShape) }
            let perSample = try (mix * logp).sum(dim: [classDim]).neg()
            return try reduce(perSample, reduction)
        }
        let ignore = ctx.arguments.int("ignore_index")
        let valid = try target.ne(Double(ignore))
        let safeTarget = try SwiftTorch.where(valid, target, Tensor.zeros(like: target))
        let picked = try logp.gather(dim: classDim, index: safeTarget.unsqueeze(classDim)).squeeze(classDim)
        var w = try valid.to(logp.dtype)
        if let weight { w = try w * weight.indexSelect(dim: 0, index: safeTarget.flatten()).reshape(target.shape) }
        var perSample = try (picked * w).neg() * (1 - smoothing)
        if smoothing > 0 {
            let classWeights = try weight?.reshape(weightShape) ?? Tensor.ones(weightShape, dtype: logp.dtype, device: logp.device)
            let smooth = try (logp * classWeights).sum(dim: [classDim]).neg() * valid.to(logp.dtype)
            perSample = try perSample + smooth * (smoothing / Double(classes))
        }
        return try reduce(perSample, reduction, meanDivisor: try w.sum())
    }

    /// Class-index targets without label smoothing or a weight that wants a gradient take
    /// PyTorch's path: log_softmax, nll_loss_backward, _log_softmax_backward_data (three
    /// calls); the other cases (and a device backend without those kernels) differentiate
    /// the decomposition.
    static let crossEntropy: Derivative = .init(saving: .inputs("self", "target", "weight")) { ctx in
        let target = try ctx.input("target"), x = try ctx.input("self")
        guard !target.dtype.isFloatingPoint, ctx.arguments.double("label_smoothing") == 0, !ctx.needs("weight"),
              hasFusedKernel(Op.nllLossBackward, on: x), hasFusedKernel(Op.logSoftmaxBackwardData, on: x) else {
            return try crossEntropyDecomposed.formula(ctx)
        }
        let classDim = x.rank == 1 ? 0 : 1
        let logp = try x.logSoftmax(dim: classDim)
        let g = try nllLossBackward(ctx.grad, input: logp, target: target, weight: ctx.optionalInput("weight"),
                                    reduction: ctx.arguments.string("reduction"), ignoreIndex: ctx.arguments.int("ignore_index"))
        return ctx.gradients(["self": try softmaxBackwardData(g, output: logp, dim: classDim, inputDType: x.dtype, log: true)])
    }

    /// One nll_loss_backward call, unless the class weights want a gradient (or the device's
    /// backend lacks the kernel).
    static let nll: Derivative = .init(saving: .inputs("self", "target", "weight")) { ctx in
        let x = try ctx.input("self")
        if ctx.needs("weight") || !hasFusedKernel(Op.nllLossBackward, on: x) { return try nllDecomposed.formula(ctx) }
        return ctx.gradients(["self": try nllLossBackward(ctx.grad, input: x, target: ctx.input("target"),
                                                          weight: ctx.optionalInput("weight"), reduction: ctx.arguments.string("reduction"),
                                                          ignoreIndex: ctx.arguments.int("ignore_index"))])
    }

    /// The decompositions: the general case of both losses, and the oracles of the fused path.
    static let crossEntropyDecomposed: Derivative = derivativeByDecomposition(["self", "target", "weight"]) { ctx, t in
        let x = t["self"]!
        let logp = try x.logSoftmax(dim: x.rank == 1 ? 0 : 1)
        return try classification(ctx, logp: logp, target: t["target"]!, weight: t["weight"], smoothing: ctx.arguments.double("label_smoothing"))
    }

    static let nllDecomposed: Derivative = derivativeByDecomposition(["self", "weight"], alsoReading: ["target"]) { ctx, t in
        try classification(ctx, logp: t["self"]!, target: ctx.input("target"), weight: t["weight"], smoothing: 0)
    }

    /// (1 - t) x + (1 + (pw - 1) t) softplus(-x), times weight: stable for large |x|, and
    /// softplus carries the right gradient at x = 0.
    static let bceWithLogits: Derivative = derivativeByDecomposition(["self", "target", "weight", "pos_weight"]) { ctx, t in
        let x = t["self"]!, y = t["target"]!
        let logWeight = try t["pos_weight"].map { pw in try 1.0 + (pw - 1.0) * y } ?? Tensor.ones(like: y)
        var loss = try (1.0 - y) * x + logWeight * x.neg().softplus()
        if let w = t["weight"] { loss = try loss * w }
        return try reduce(loss, ctx.arguments.string("reduction"))
    }
}
