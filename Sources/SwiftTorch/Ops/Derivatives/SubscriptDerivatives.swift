import SwiftTorchCore

// Gradients of the subscript operators. Each is written with differentiable operators
// (index_add, index_put, index), so gradients of gradients work too.

enum SubscriptGrad {
    /// select: the gradient lands in entry `index` of `dim` of an otherwise zero tensor.
    static let select: Derivative = .init(saving: .nothing) { ctx in
        let x = ctx.metadata("self")
        let d = ctx.arguments.int("dim") < 0 ? ctx.arguments.int("dim") + x.rank : ctx.arguments.int("dim")
        let i = try Subscripts.wrapIndex(ctx.arguments.int("index"), dim: d, shape: x.shape)
        let position = try Tensor([Int64(i)], shape: [1], device: x.device)
        return ctx.gradients(["self": try scattered(ctx.grad.unsqueeze(d), into: x.shape, dim: d, at: position)])
    }

    /// slice: the gradient lands at the visited entries of `dim` of an otherwise zero tensor.
    static let slice: Derivative = .init(saving: .nothing) { ctx in
        let x = ctx.metadata("self")
        let d = ctx.arguments.int("dim") < 0 ? ctx.arguments.int("dim") + x.rank : ctx.arguments.int("dim")
        let bounds = try Subscripts.sliceBounds(ctx.arguments, dim: d, size: x.shape[d])
        if bounds.start == 0, bounds.step == 1, bounds.count == x.shape[d] { return ctx.gradients(["self": ctx.grad]) }
        let positions = try Tensor.arange(bounds.start, bounds.lastExclusive, step: bounds.step, device: x.device)
        return ctx.gradients(["self": try scattered(ctx.grad, into: x.shape, dim: d, at: positions)])
    }

    /// index: each gathered element's gradient goes back to where it came from, summed
    /// where an index repeats.
    static let index: Derivative = .init(saving: .inputs("indices")) { ctx in
        let x = ctx.metadata("self")
        let zeros = try Tensor.zeros(x.shape, dtype: ctx.grad.dtype, device: x.device)
        return ctx.gradients(["self": try zeros.indexPut(ctx.arguments.tensorList("indices"), ctx.grad, accumulate: true)])
    }

    /// index_put: `self` keeps the gradient where nothing was written over it (all of it
    /// when accumulating); `values` gets the gradient of the positions it was written to,
    /// summed back over its broadcast dims.
    static let indexPut: Derivative = .init(saving: .inputs("indices")) { ctx in
        let indices = ctx.arguments.tensorList("indices")
        let accumulate = ctx.arguments.bool("accumulate")
        return ctx.gradients([
            "self": try ctx.ifNeeded("self") {
                accumulate ? ctx.grad : try ctx.grad.indexPut(indices, Tensor.zeros([], dtype: ctx.grad.dtype, device: ctx.grad.device))
            },
            "values": try ctx.ifNeeded("values") { try ctx.grad.index(indices).sumTo(ctx.shape("values")) },
        ])
    }

    /// `grad` added at `positions` along `dim` of a zero tensor of `shape`.
    private static func scattered(_ grad: Tensor, into shape: [Int], dim: Int, at positions: Tensor) throws -> Tensor {
        try Tensor.zeros(shape, dtype: grad.dtype, device: grad.device).indexAdd(dim: dim, index: positions, source: grad)
    }
}
