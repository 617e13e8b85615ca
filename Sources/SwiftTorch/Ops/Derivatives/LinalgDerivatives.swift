import SwiftTorchCore

enum LinalgGrad {
    static let mm: Derivative = .init(saving: .inputs("self", "mat2")) { ctx in
        let a = try ctx.input("self"), b = try ctx.input("mat2"), g = ctx.grad
        return ctx.gradients([
            "self": try ctx.ifNeeded("self") { try g.mm(b.t()) },
            "mat2": try ctx.ifNeeded("mat2") { try a.t().mm(g) },
        ])
    }
    static let bmm: Derivative = .init(saving: .inputs("self", "mat2")) { ctx in
        let a = try ctx.input("self"), b = try ctx.input("mat2"), g = ctx.grad
        return ctx.gradients([
            "self": try ctx.ifNeeded("self") { try g.bmm(b.transpose(1, 2)) },
            "mat2": try ctx.ifNeeded("mat2") { try a.transpose(1, 2).bmm(g) },
        ])
    }
    /// Promotes 1-D operands to matrices as the forward did, takes the batched products'
    /// gradients, and sums broadcast batch dims away.
    static let matmul: Derivative = .init(saving: .inputs("self", "other")) { ctx in
        let a = try ctx.input("self"), b = try ctx.input("other")
        let a2 = a.rank == 1 ? try a.unsqueeze(0) : a
        let b2 = b.rank == 1 ? try b.unsqueeze(1) : b
        var g = ctx.grad
        if a.rank == 1 { g = try g.unsqueeze(g.rank - (b.rank == 1 ? 0 : 1)) }
        if b.rank == 1 { g = try g.unsqueeze(g.rank) }
        return ctx.gradients([
            "self": try ctx.ifNeeded("self") { try g.matmul(b2.transpose(-1, -2)).sumTo(a2.shape).reshape(a.shape) },
            "other": try ctx.ifNeeded("other") { try a2.transpose(-1, -2).matmul(g).sumTo(b2.shape).reshape(b.shape) },
        ])
    }
    static let addmm: Derivative = .init(saving: .inputs("mat1", "mat2")) { ctx in
        let c = ctx.metadata("self"), a = try ctx.input("mat1"), b = try ctx.input("mat2"), g = ctx.grad
        let alpha = ctx.scalar("alpha"), beta = ctx.scalar("beta")
        return ctx.gradients([
            "self": try ctx.ifNeeded("self") { try maybeMultiply(g, beta).sumTo(c.shape) },
            "mat1": try ctx.ifNeeded("mat1") { try maybeMultiply(g.mm(b.t()), alpha) },
            "mat2": try ctx.ifNeeded("mat2") { try maybeMultiply(a.t().mm(g), alpha) },
        ])
    }

    /// `t * scalar`, or `t` itself when the scalar is 1 (PyTorch's `maybe_multiply`): an
    /// addmm with the default alpha and beta (every Linear-like use) then costs its backward
    /// no elementwise pass. Any other value multiplies, so a beta of 0 still turns NaN to NaN.
    private static func maybeMultiply(_ t: Tensor, _ scalar: Double) throws -> Tensor {
        scalar == 1 ? t : try t * scalar
    }
    static let linear: Derivative = .init(saving: .inputs("input", "weight")) { ctx in
        let x = try ctx.input("input"), w = try ctx.input("weight"), g = ctx.grad
        let bias = ctx.arguments.optionalTensor("bias")  // its shape only
        let inFeatures = w.shape[w.rank - 1]
        return ctx.gradients([
            "input": try ctx.ifNeeded("input") {
                w.rank == 2 ? try g.matmul(w) : try g.unsqueeze(-1) * w
            },
            "weight": try ctx.ifNeeded("weight") {
                let flatX = try x.reshape([-1, inFeatures])
                if w.rank == 1 { return try (flatX * g.reshape([-1, 1])).sum(dim: [0]) }
                return try g.reshape([-1, w.shape[0]]).t().mm(flatX)
            },
            "bias": try bias.flatMap { b in try ctx.ifNeeded("bias") { try g.sumTo(b.shape) } },
        ])
    }
}

enum ShapeGrad {
    /// reshape, flatten, squeeze, unsqueeze: the gradient takes the input's shape back.
    static let reshapeBack: Derivative = .init(saving: .nothing) { ctx in
        ctx.gradients(["self": try ctx.grad.reshape(ctx.shape("self"))])
    }
    static let permute: Derivative = .init(saving: .nothing) { ctx in
        let x = ctx.metadata("self")
        let dims = ctx.arguments.ints("dims").map { $0 < 0 ? $0 + x.rank : $0 }
        var inverse = [Int](repeating: 0, count: dims.count)
        for (i, d) in dims.enumerated() { inverse[d] = i }
        return ctx.gradients(["self": try ctx.grad.permute(inverse)])
    }
    static let transpose: Derivative = .init(saving: .nothing) { ctx in
        ctx.gradients(["self": try ctx.grad.transpose(ctx.arguments.int("dim0"), ctx.arguments.int("dim1"))])
    }
    static let expand: Derivative = .init(saving: .nothing) { ctx in
        ctx.gradients(["self": try ctx.grad.sumTo(ctx.shape("self"))])
    }
    /// narrow: the gradient sits in its window of an otherwise zero tensor.
    static let narrow: Derivative = .init(saving: .nothing) { ctx in
        let x = ctx.metadata("self")
        let d = ctx.arguments.int("dim") < 0 ? ctx.arguments.int("dim") + x.rank : ctx.arguments.int("dim")
        var start = ctx.arguments.int("start")
        if start < 0 { start += x.shape[d] }
        let length = ctx.arguments.int("length")
        var parts: [Tensor] = []
        var before = x.shape, after = x.shape
        before[d] = start
        after[d] = x.shape[d] - start - length
        if start > 0 { parts.append(try Tensor.zeros(before, dtype: ctx.grad.dtype, device: x.device)) }
        parts.append(ctx.grad)
        if after[d] > 0 { parts.append(try Tensor.zeros(after, dtype: ctx.grad.dtype, device: x.device)) }
        return ctx.gradients(["self": parts.count == 1 ? ctx.grad : try SwiftTorch.cat(parts, dim: d)])
    }
    /// cat: each input gets its slice of the gradient.
    static let cat: Derivative = .init(saving: .nothing) { ctx in
        let tensors = ctx.arguments.tensorList("tensors")
        let first = tensors.first { !($0.rank == 1 && $0.shape[0] == 0) }
        var grads: [Tensor?] = []
        var offset = 0
        let rawDim = ctx.arguments.int("dim")
        let d = first.map { rawDim < 0 ? rawDim + $0.rank : rawDim } ?? 0
        for t in tensors {
            if t.rank == 1 && t.shape[0] == 0 && (first?.rank ?? 1) != 1 {
                grads.append(try Tensor.zeros(like: t))
                continue
            }
            grads.append(try ctx.grad.narrow(dim: d, start: offset, length: t.shape[d]).to(t.dtype))
            offset += t.shape[d]
        }
        return ctx.gradients([:], lists: ["tensors": grads])
    }
    static let toCopy: Derivative = .init(saving: .nothing) { ctx in
        let x = ctx.metadata("self")
        return ctx.gradients(["self": try ctx.grad.to(x.dtype).to(x.device)])
    }
}

enum IndexingGrad {
    static let indexSelect: Derivative = .init(saving: .inputs("index")) { ctx in
        let x = ctx.metadata("self"), index = try ctx.input("index")
        let d = ctx.arguments.int("dim")
        return ctx.gradients(["self": try Tensor.zeros(like: x).indexAdd(dim: d, index: index.rank == 0 ? index.reshape([1]) : index,
                                                                        source: x.rank == 0 ? ctx.grad.reshape([1]) : ctx.grad).reshape(x.shape)])
    }
    static let gather: Derivative = .init(saving: .inputs("index")) { ctx in
        let x = ctx.metadata("self"), index = try ctx.input("index")
        return ctx.gradients(["self": try Tensor.zeros(like: x).scatterAdd(dim: ctx.arguments.int("dim"), index: index, source: ctx.grad)])
    }
    static let indexAdd: Derivative = .init(saving: .inputs("index")) { ctx in
        let index = try ctx.input("index"), d = ctx.arguments.int("dim")
        return ctx.gradients([
            "self": ctx.grad,
            "source": try ctx.ifNeeded("source") { try ctx.grad.indexSelect(dim: d, index: index) * ctx.scalar("alpha") },
        ])
    }
    static let scatterAdd: Derivative = .init(saving: .inputs("index")) { ctx in
        let index = try ctx.input("index"), d = ctx.arguments.int("dim")
        return ctx.gradients([
            "self": ctx.grad,
            // src may be larger than index; the entries beyond it get no gradient.
            "src": try ctx.ifNeeded("src") { try ctx.grad.gather(dim: d, index: index).zeroPadded(to: ctx.shape("src")) },
        ])
    }
}

extension Tensor {
    /// This tensor at the start of each dimension of a zero tensor of `shape`.
    func zeroPadded(to shape: [Int]) throws -> Tensor {
        var result = self
        for d in 0..<rank where result.shape[d] < shape[d] {
            var padShape = result.shape
            padShape[d] = shape[d] - result.shape[d]
            result = try SwiftTorch.cat([result, Tensor.zeros(padShape, dtype: dtype, device: device)], dim: d)
        }
        return result
    }
}
