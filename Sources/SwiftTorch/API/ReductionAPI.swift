import SwiftTorchCore

extension Tensor {
    private func reduce(_ op: OperatorHandle, _ dim: [Int]?, _ keepdim: Bool, _ extra: [(String, ArgumentValue)] = []) throws -> Tensor {
        try dispatch(op, [.tensor(self), dim.map(ArgumentValue.ints) ?? .none, .bool(keepdim)], extra)
    }

    /// Sum over `dim` (every dimension when nil). Integers and bool sum as int64.
    public func sum(dim: [Int]? = nil, keepdim: Bool = false, dtype: DType? = nil) throws -> Tensor {
        try reduce(Op.sum, dim, keepdim, dtype.map { [("dtype", .dtype($0))] } ?? [])
    }
    /// Sum over one dimension, as `x.sum(dim)`.
    public func sum(dim: Int, keepdim: Bool = false) throws -> Tensor { try sum(dim: [dim], keepdim: keepdim) }
    /// Mean over `dim` (every dimension when nil); floating-point input only.
    public func mean(dim: [Int]? = nil, keepdim: Bool = false, dtype: DType? = nil) throws -> Tensor {
        try reduce(Op.mean, dim, keepdim, dtype.map { [("dtype", .dtype($0))] } ?? [])
    }
    /// Mean over one dimension, as `x.mean(dim)`.
    public func mean(dim: Int, keepdim: Bool = false) throws -> Tensor { try mean(dim: [dim], keepdim: keepdim) }
    /// Product over `dim`, or of every element when nil, as `torch.prod`.
    public func prod(dim: Int? = nil, keepdim: Bool = false) throws -> Tensor {
        try dispatch(Op.prod, [.tensor(self), dim.map(ArgumentValue.int) ?? .none, .bool(keepdim)])
    }
    /// The largest values over `dim` (every dimension when empty), as `torch.amax`; NaN propagates.
    public func amax(dim: [Int] = [], keepdim: Bool = false) throws -> Tensor { try reduce(Op.amax, dim, keepdim) }
    /// The smallest values over `dim` (every dimension when empty), as `torch.amin`; NaN
    /// propagates.
    public func amin(dim: [Int] = [], keepdim: Bool = false) throws -> Tensor { try reduce(Op.amin, dim, keepdim) }
    /// The largest element (NaN if any element is NaN).
    public func max() throws -> Tensor { try dispatch(Op.max, [.tensor(self)]) }
    /// Largest values along `dim` and their first indices.
    public func max(dim: Int, keepdim: Bool = false) throws -> (values: Tensor, indices: Tensor) {
        let r = try dispatchAll(Op.max, [.tensor(self), .int(dim), .bool(keepdim)])
        return (r[0], r[1])
    }
    /// The smallest element (NaN if any element is NaN).
    public func min() throws -> Tensor { try dispatch(Op.min, [.tensor(self)]) }
    /// Smallest values along `dim` and their first indices, as `torch.min(x, dim)`.
    public func min(dim: Int, keepdim: Bool = false) throws -> (values: Tensor, indices: Tensor) {
        let r = try dispatchAll(Op.min, [.tensor(self), .int(dim), .bool(keepdim)])
        return (r[0], r[1])
    }
    /// Index of the largest element (first on ties, a NaN wins), over all elements when `dim` is nil.
    public func argmax(dim: Int? = nil, keepdim: Bool = false) throws -> Tensor {
        try dispatch(Op.argmax, [.tensor(self), dim.map(ArgumentValue.int) ?? .none, .bool(keepdim)])
    }
    /// Index of the smallest element (first on ties, a NaN wins), over all elements when `dim`
    /// is nil.
    public func argmin(dim: Int? = nil, keepdim: Bool = false) throws -> Tensor {
        try dispatch(Op.argmin, [.tensor(self), dim.map(ArgumentValue.int) ?? .none, .bool(keepdim)])
    }
    /// Variance with Bessel's correction by default (`correction: 1`).
    public func `var`(dim: [Int]? = nil, correction: Double = 1, keepdim: Bool = false) throws -> Tensor {
        try dispatch(Op.var, [.tensor(self), dim.map(ArgumentValue.ints) ?? .none], [("correction", .double(correction)), ("keepdim", .bool(keepdim))])
    }
    /// Standard deviation, the square root of ``var(dim:correction:keepdim:)``.
    public func std(dim: [Int]? = nil, correction: Double = 1, keepdim: Bool = false) throws -> Tensor {
        try dispatch(Op.std, [.tensor(self), dim.map(ArgumentValue.ints) ?? .none], [("correction", .double(correction)), ("keepdim", .bool(keepdim))])
    }
    /// `log(sum(exp(x)))` over `dim`, computed without overflow.
    public func logsumexp(dim: [Int], keepdim: Bool = false) throws -> Tensor { try reduce(Op.logsumexp, dim, keepdim) }
    /// `log(sum(exp(x)))` over one dimension, computed without overflow.
    public func logsumexp(dim: Int, keepdim: Bool = false) throws -> Tensor { try logsumexp(dim: [dim], keepdim: keepdim) }
    /// Running sum along `dim`, as `torch.cumsum`.
    public func cumsum(dim: Int) throws -> Tensor { try dispatch(Op.cumsum, [.tensor(self), .int(dim)]) }

    /// Softmax along `dim`: exponentials normalised to sum to 1.
    public func softmax(dim: Int) throws -> Tensor { try dispatch(Op.softmax, [.tensor(self), .int(dim)]) }
    /// Log of the softmax along `dim`, computed as `x - logsumexp(x)` (PyTorch's `log_softmax`).
    public func logSoftmax(dim: Int) throws -> Tensor { try dispatch(Op.logSoftmax, [.tensor(self), .int(dim)]) }
}
