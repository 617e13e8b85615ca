import SwiftTorchCore

// Gradients of the sequence-model operators: masking, the parametrised activations, the
// fused recurrent cells and fused attention. Each is written with registered operators, so
// it runs on every backend and can itself be differentiated.

enum MaskingGrad {
    /// Masked positions took `value`: their gradient goes to `value` (summed), the rest to `self`.
    static let maskedFill: Derivative = .init(saving: .inputs("mask")) { ctx in
        let mask = try ctx.input("mask"), g = ctx.grad
        return ctx.gradients([
            "self": try ctx.ifNeeded("self") { try g.maskedFill(mask, 0.0).sumTo(ctx.shape("self")) },
            "value": try ctx.ifNeeded("value") { try (g * mask).sum().to(ctx.metadata("value").dtype) },
        ])
    }

    /// A triangle is linear: the gradient is the same triangle of the incoming gradient.
    static func triangle(upper: Bool) -> Derivative {
        .init(saving: .nothing) { ctx in
            let diagonal = ctx.arguments.int("diagonal")
            return ctx.gradients(["self": try upper ? ctx.grad.triu(diagonal: diagonal) : ctx.grad.tril(diagonal: diagonal)])
        }
    }
}

enum ActivationGrad {
    /// PyTorch's rule: the slope applies where `x <= 0` (at 0 too).
    static let leakyRelu: Derivative = ElementwiseGrad.unary(saving: .inputs("self")) { x, _, g, ctx in
        try SwiftTorch.where(x.gt(0.0), g, g * ctx.scalar("negative_slope"))
    }
    /// `scale` where `x > 0`, else `scale * alpha * input_scale * exp(input_scale * x)`.
    static let elu: Derivative = ElementwiseGrad.unary(saving: .inputs("self")) { x, _, g, ctx in
        let (alpha, scale, inputScale) = (ctx.scalar("alpha"), ctx.scalar("scale"), ctx.scalar("input_scale"))
        return try SwiftTorch.where(x.gt(0.0), g * scale, g * (x * inputScale).exp() * (alpha * scale * inputScale))
    }
}

enum RecurrentCellGrad {
    /// Through `c' = f * cx + i * g` and `h' = o * tanh(c')`: the fused backward kernel,
    /// from the saved activated gates. Both gate inputs receive the gates' gradient (they
    /// were summed), each bias its sum over the batch.
    static let fusedLstmCell: Derivative = .init(saving: .inputs("cx", outputs: true)) { ctx in
        let hasBias = ctx.needs("input_bias") || ctx.needs("hidden_bias")
        let grads = try dispatchAll(Op.fusedLstmCellBackward, [.tensor(ctx.gradOutputs[0]), .tensor(ctx.gradOutputs[1]), .tensor(try ctx.input("cx")),
                                                               .tensor(try ctx.output(1)), .tensor(try ctx.output(2)), .bool(hasBias)])
        return ctx.gradients([
            "input_gates": ctx.needs("input_gates") ? grads[0] : nil,
            "hidden_gates": ctx.needs("hidden_gates") ? grads[0] : nil,
            "cx": ctx.needs("cx") ? grads[1] : nil,
            "input_bias": ctx.needs("input_bias") ? grads[2] : nil,
            "hidden_bias": ctx.needs("hidden_bias") ? grads[2] : nil,
        ])
    }

    /// The LSTM gate gradients written with registered operators: what the fused backward
    /// computes, and the decomposition its own derivative differentiates.
    static func lstmGateGradients(gradH: Tensor, gradC: Tensor, cx: Tensor, cy: Tensor, workspace: Tensor) throws -> (gates: Tensor, cx: Tensor) {
        let gates = try workspace.chunk(4, dim: 1)
        let (i, f, g, o) = (gates[0], gates[1], gates[2], gates[3])
        let tanhC = try cy.tanh()
        let dc = try gradC + gradH * o * (1.0 - tanhC * tanhC)
        let dGates = try cat([dc * g * i * (1.0 - i), dc * cx * f * (1.0 - f), dc * i * (1.0 - g * g),
                              gradH * tanhC * o * (1.0 - o)], dim: 1)
        return (dGates, try dc * f)
    }

    /// Double backward of the LSTM cell: the decomposition above, differentiated against
    /// the incoming gradients of all three outputs.
    static let fusedLstmCellBackward: Derivative = .init(saving: .inputs("grad_hy", "grad_cy", "cx", "cy", "workspace")) { ctx in
        try ctx.gradientsOfDecomposition(["grad_hy", "grad_cy", "cx", "cy", "workspace"], gradOutput: nil) { leaves in
            let cx = leaves["cx"]!, zeros = try Tensor.zeros(like: cx)
            let (gates, gradCx) = try lstmGateGradients(gradH: leaves["grad_hy"] ?? zeros, gradC: leaves["grad_cy"] ?? zeros, cx: cx,
                                                        cy: leaves["cy"]!, workspace: leaves["workspace"]!)
            let total = try (gates * ctx.gradOutputs[0]).sum() + (gradCx * ctx.gradOutputs[1]).sum()
            return ctx.arguments.bool("has_bias") ? try total + (gates.sum(dim: 0) * ctx.gradOutputs[2]).sum() : total
        }
    }

    /// Through `h' = (1 - z) * n + z * hx` with `n = tanh(in + r * hn)`: the fused backward
    /// kernel, from hx and the saved workspace `[r, z, n, hn]`.
    static let fusedGruCell: Derivative = .init(saving: .inputs("hx", outputs: true)) { ctx in
        let hasBias = ctx.needs("input_bias") || ctx.needs("hidden_bias")
        let grads = try dispatchAll(Op.fusedGruCellBackward, [.tensor(ctx.grad), .tensor(try ctx.input("hx")), .tensor(try ctx.output(1)),
                                                              .bool(hasBias)])
        return ctx.gradients([
            "input_gates": ctx.needs("input_gates") ? grads[0] : nil,
            "hidden_gates": ctx.needs("hidden_gates") ? grads[1] : nil,
            "hx": ctx.needs("hx") ? grads[2] : nil,
            "input_bias": ctx.needs("input_bias") ? grads[3] : nil,
            "hidden_bias": ctx.needs("hidden_bias") ? grads[4] : nil,
        ])
    }

    /// The GRU gate gradients written with registered operators: what the fused backward
    /// computes, and the decomposition its own derivative differentiates. The hidden side of
    /// the n gate was scaled by r.
    static func gruGateGradients(grad g: Tensor, hx: Tensor, workspace: Tensor) throws -> (input: Tensor, hidden: Tensor, hx: Tensor) {
        let parts = try workspace.chunk(4, dim: 1)
        let (r, z, n, hn) = (parts[0], parts[1], parts[2], parts[3])
        let dn = try g * (1.0 - z) * (1.0 - n * n)
        let dr = try dn * hn * r * (1.0 - r)
        let dz = try g * (hx - n) * z * (1.0 - z)
        return (try cat([dr, dz, dn], dim: 1), try cat([dr, dz, dn * r], dim: 1), try g * z)
    }

    /// Double backward of the GRU cell: the decomposition above, differentiated against the
    /// incoming gradients of all five outputs.
    static let fusedGruCellBackward: Derivative = .init(saving: .inputs("grad_hy", "hx", "workspace")) { ctx in
        try ctx.gradientsOfDecomposition(["grad_hy", "hx", "workspace"], gradOutput: nil) { leaves in
            let (input, hidden, hx) = try gruGateGradients(grad: leaves["grad_hy"]!, hx: leaves["hx"]!, workspace: leaves["workspace"]!)
            let total = try (input * ctx.gradOutputs[0]).sum() + (hidden * ctx.gradOutputs[1]).sum() + (hx * ctx.gradOutputs[2]).sum()
            guard ctx.arguments.bool("has_bias") else { return total }
            return try total + (input.sum(dim: 0) * ctx.gradOutputs[3]).sum() + (hidden.sum(dim: 0) * ctx.gradOutputs[4]).sum()
        }
    }
}

enum AttentionGrad {
    /// Recomputes the weights from the saved log-sum-exp (FlashAttention's backward, with
    /// registered operators): P = exp(S - lse), dV = Pᵀ dO, dS = softmax's backward of dP,
    /// dQ = dS K scale, dK = dSᵀ Q scale; a float mask receives dS. Dropout reapplies the
    /// forward's mask through `native_dropout` with the same seed.
    static let fusedAttention: Derivative = .init(saving: .inputs("query", "key", "value", "attn_mask", outputs: true)) { ctx in
        let q = try ctx.input("query"), k = try ctx.input("key"), v = try ctx.input("value")
        let mask = try ctx.optionalInput("attn_mask")
        let (scale, p, seed) = (ctx.scalar("scale"), ctx.scalar("dropout_p"), ctx.arguments.int("seed"))
        let lse = try ctx.output(1).unsqueeze(-1), g = ctx.grad
        var scores = try q.matmul(k.transpose(-2, -1)) * scale
        if let mask {
            scores = mask.dtype == .bool ? try scores.maskedFill(mask.eq(0.0), -Double.infinity) : try scores + mask
        } else if ctx.arguments.bool("is_causal") {
            let (l, s) = (scores.shape[scores.rank - 2], scores.shape[scores.rank - 1])
            let above = try Tensor.full([l, s], 1, dtype: .bool, device: scores.device).triu(diagonal: 1)
            scores = try scores.maskedFill(above, -Double.infinity)
        }
        // A fully masked query has lse = -inf and weights 0 (not exp(-inf + inf) = NaN).
        let weights = try (scores - lse).exp().maskedFill(lse.eq(-Double.infinity), 0.0)
        let dropped = { (t: Tensor) throws -> Tensor in
            p > 0 ? try dispatch(Op.nativeDropout, [.tensor(t), .double(p), .int(seed)]) : t
        }
        let dWeights = try dropped(g.matmul(v.transpose(-2, -1)))
        let dScores = try softmaxBackwardData(dWeights, output: weights, dim: -1, inputDType: weights.dtype, log: false)
        return ctx.gradients([
            "query": try ctx.ifNeeded("query") { try (dScores.matmul(k) * scale).sumTo(q.shape) },
            "key": try ctx.ifNeeded("key") { try (dScores.transpose(-2, -1).matmul(q) * scale).sumTo(k.shape) },
            "value": try ctx.ifNeeded("value") { try dropped(weights).transpose(-2, -1).matmul(g).sumTo(v.shape) },
            "attn_mask": try ctx.ifNeeded("attn_mask") { try dScores.sumTo(mask!.shape) },
        ])
    }
}
