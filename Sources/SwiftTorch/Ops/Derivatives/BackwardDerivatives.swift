import SwiftTorchCore

// Derivatives of the fused backward operators (double backward). Each backward is linear
// in grad_output, so its gradient there is the same backward applied to the incoming
// gradient (or, for nll_loss_backward, the forward loss: its adjoint).

enum BackwardGrad {
    /// Piecewise constant in `self`: no gradient flows there, as in PyTorch.
    static let thresholdBackward: Derivative = .init(saving: .inputs("self")) { ctx in
        ctx.gradients([
            "grad_output": try ctx.ifNeeded("grad_output") {
                try SwiftTorch.thresholdBackward(ctx.grad, ctx.input("self"), threshold: ctx.scalar("threshold")).sumTo(ctx.shape("grad_output"))
            },
            "self": try ctx.ifNeeded("self") { try Tensor.zeros(like: ctx.metadata("self")) },
        ])
    }

    /// J = diag(y) - y yᵀ is symmetric, so the gradient in grad_output is the same backward
    /// of the incoming gradient G; in y it is G (g - sum(g y)) - g sum(G y).
    static let softmaxBackwardData: Derivative = .init(saving: .inputs("grad_output", "output")) { ctx in
        let g = try ctx.input("grad_output"), y = try ctx.input("output"), upstream = ctx.grad
        let d = ctx.arguments.int("dim")
        return ctx.gradients([
            "grad_output": try ctx.ifNeeded("grad_output") {
                try SwiftTorch.softmaxBackwardData(upstream, output: y, dim: d, inputDType: g.dtype, log: false)
            },
            "output": try ctx.ifNeeded("output") {
                let gy = try (g * y).sum(dim: [d], keepdim: true)
                let upstreamY = try (upstream * y).sum(dim: [d], keepdim: true)
                return try (upstream * (g - gy) - g * upstreamY).to(y.dtype)
            },
        ])
    }

    /// With s = sum(g): the gradient in g is G - sum(G exp(y)), in y it is -G exp(y) s.
    static let logSoftmaxBackwardData: Derivative = .init(saving: .inputs("grad_output", "output")) { ctx in
        let g = try ctx.input("grad_output"), y = try ctx.input("output"), upstream = ctx.grad
        let d = ctx.arguments.int("dim")
        return ctx.gradients([
            "grad_output": try ctx.ifNeeded("grad_output") {
                try (upstream - (upstream * y.exp()).sum(dim: [d], keepdim: true)).to(g.dtype)
            },
            "output": try ctx.ifNeeded("output") {
                try (-upstream * y.exp() * g.sum(dim: [d], keepdim: true)).to(y.dtype)
            },
        ])
    }

    /// `<nll_loss_backward(g), G> = nll_loss(G)` with the same reduction: the loss is the
    /// adjoint. The result does not depend on `self`'s values; class weights are not
    /// differentiable here (PyTorch leaves them out too).
    static let nllLossBackward: Derivative = .init(saving: .inputs("target", "weight", "total_weight")) { ctx in
        if ctx.needs("weight") || ctx.needs("total_weight") {
            throw TorchError(.notImplemented, "nll_loss_backward: the derivative for 'weight' and 'total_weight' is not implemented")
        }
        return ctx.gradients(["grad_output": try ctx.ifNeeded("grad_output") {
            let reduction = ctx.arguments.string("reduction")
            let target = try ctx.input("target"), weight = try ctx.optionalInput("weight")
            func loss(_ r: String) throws -> Tensor {
                try dispatch(Op.nllLoss, [.tensor(ctx.grad), .tensor(target), weight.map { .tensor($0) } ?? .none,
                                          .string(r), .int(ctx.arguments.int("ignore_index"))])
            }
            if reduction == "mean", let total = try ctx.optionalInput("total_weight") {
                return try loss("sum") / total.reshape([])
            }
            return try loss(reduction)
        }])
    }
}
