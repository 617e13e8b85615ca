import SwiftTorchCore

extension Tensor {
    /// The same elements with another shape: a view when the strides allow it, else a copy.
    /// One size may be -1 and is inferred.
    public func reshape(_ shape: [Int]) throws -> Tensor { try dispatch(Op.reshape, [.tensor(self), .ints(shape)]) }
    /// Reorders dimensions (a view).
    public func permute(_ dims: [Int]) throws -> Tensor { try dispatch(Op.permute, [.tensor(self), .ints(dims)]) }
    /// Swaps two dimensions (a view).
    public func transpose(_ dim0: Int, _ dim1: Int) throws -> Tensor {
        try dispatch(Op.transpose, [.tensor(self), .int(dim0), .int(dim1)])
    }
    /// The transpose of a matrix (PyTorch's `.t()`); 0-d and 1-D tensors are returned as they are.
    public func t() throws -> Tensor {
        guard rank <= 2 else {
            throw TorchError(.invalidArgument, "t: expects a tensor with <= 2 dimensions, got shape \(describe(shape: shape)); use transpose(_:_:)")
        }
        return rank < 2 ? try transpose(0, 0) : try transpose(0, 1)
    }
    /// Drops size-1 dimensions (all of them, or those in `dim`).
    public func squeeze(_ dim: [Int]? = nil) throws -> Tensor {
        try dispatch(Op.squeeze, [.tensor(self), dim.map(ArgumentValue.ints) ?? .none])
    }
    /// Drops dimension `dim` if its size is 1.
    public func squeeze(_ dim: Int) throws -> Tensor { try squeeze([dim]) }
    /// Inserts a size-1 dimension at `dim`.
    public func unsqueeze(_ dim: Int) throws -> Tensor { try dispatch(Op.unsqueeze, [.tensor(self), .int(dim)]) }
    /// Merges dimensions `startDim...endDim` into one, a view when the layout allows it.
    public func flatten(startDim: Int = 0, endDim: Int = -1) throws -> Tensor {
        try dispatch(Op.flatten, [.tensor(self), .int(startDim), .int(endDim)])
    }
    /// Broadcasts size-1 dimensions to `size` without copying (-1 keeps a size).
    public func expand(_ size: [Int]) throws -> Tensor { try dispatch(Op.expand, [.tensor(self), .ints(size)]) }
    /// `length` entries of dimension `dim` from `start` (a view).
    public func narrow(dim: Int, start: Int, length: Int) throws -> Tensor {
        try dispatch(Op.narrow, [.tensor(self), .int(dim), .int(start), .int(length)])
    }
    /// Entries along `dim` at the positions in `index` (int64 or int32).
    public func indexSelect(dim: Int, index: Tensor) throws -> Tensor {
        try dispatch(Op.indexSelect, [.tensor(self), .int(dim), .tensor(index)])
    }
    /// Gathers values along `dim` by `index`.
    public func gather(dim: Int, index: Tensor) throws -> Tensor {
        try dispatch(Op.gather, [.tensor(self), .int(dim), .tensor(index)])
    }
    /// `self` with `alpha * source` added at `index` along `dim`.
    public func indexAdd(dim: Int, index: Tensor, source: Tensor, alpha: Double = 1) throws -> Tensor {
        try dispatch(Op.indexAdd, [.tensor(self), .int(dim), .tensor(index), .tensor(source)], [("alpha", .double(alpha))])
    }
    /// `self` with `source` added at `index` along `dim`.
    public func scatterAdd(dim: Int, index: Tensor, source: Tensor) throws -> Tensor {
        try dispatch(Op.scatterAdd, [.tensor(self), .int(dim), .tensor(index), .tensor(source)])
    }

    // `x[2]`, `x[1..<3]` and every other subscript are in TensorSubscript.swift.

    /// Every `step`-th entry of `dim` from `start` up to `end` (a strided view), as `x[start:end:step]`.
    public func slice(dim: Int, start: Int = 0, end: Int? = nil, step: Int = 1) throws -> Tensor {
        let d = try Meta.wrapDim("slice", dim, rank: rank, shape: shape)
        guard step > 0 else { throw TorchError(.invalidArgument, "slice: step must be positive, got \(step)") }
        let size = shape[d]
        func clampIndex(_ i: Int) -> Int { Swift.min(Swift.max(i < 0 ? i + size : i, 0), size) }
        let s = clampIndex(start), e = Swift.max(clampIndex(end ?? size), s)
        let narrowed = try narrow(dim: d, start: s, length: e - s)
        if step == 1 { return narrowed }
        // as_strided has no derivative: while gradients are recorded, pick the entries with
        // index_select (a copy that autograd follows) instead of a strided view.
        if requiresGrad && GradMode.isEnabled {
            let picked = try Tensor.arange(0, e - s, step: step, device: device)
            return try narrowed.indexSelect(dim: d, index: picked)
        }
        var newShape = narrowed.shape, newStrides = narrowed.strides
        // ceil((e - s) / step) without forming e - s + step - 1, which overflows for a huge step.
        newShape[d] = e == s ? 0 : (e - s - 1) / step + 1
        // A dimension of one entry keeps its stride (any stride is valid there).
        if newShape[d] > 1 {
            newStrides[d] = try ShapeArithmetic.product("slice", newStrides[d], step, "the stride of dimension \(d) times step \(step)")
        }
        return try narrowed.asStrided(shape: newShape, strides: newStrides, offset: narrowed.offset)
    }

    /// A view with explicit geometry over this tensor's storage (bounds are checked).
    func asStrided(shape: [Int], strides: [Int], offset: Int) throws -> Tensor {
        try dispatch(Op.asStrided, [.tensor(self), .ints(shape), .ints(strides), .int(offset)])
    }
}

/// Concatenates tensors along an existing dimension.
public func cat(_ tensors: [Tensor], dim: Int = 0) throws -> Tensor {
    try dispatch(Op.cat, [.tensorList(tensors), .int(dim)])
}

/// Joins tensors of one shape along a new dimension.
public func stack(_ tensors: [Tensor], dim: Int = 0) throws -> Tensor {
    try dispatch(Op.stack, [.tensorList(tensors), .int(dim)])
}
