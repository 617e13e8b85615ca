import SwiftTorchCore

// Advanced indexing, as PyTorch's `index.Tensor` and `index_put_`: integer tensors index the
// leading dimensions of `self`, one tensor per dimension, broadcast together. The result
// (or the region written) has the indices' broadcast shape followed by the dimensions not
// indexed. The Swift subscript moves the indexed dimensions to the front first (a view) and
// turns boolean masks into index tensors with `nonzero`, so these operators see only this
// one form (the registry's schemas have no list of optional tensors, PyTorch's `Tensor?[]`).

/// The checks `index`, `index_put_` and `index_put` share.
enum AdvancedIndexing {
    /// Validates `indices` against `self`'s shape and rewrites them as int64 tensors of their
    /// broadcast shape; returns that shape followed by the dims they leave alone.
    static func prepare(_ op: String, _ args: inout Arguments) throws -> [Int] {
        let t = args.tensor("self"), indices = args.tensorList("indices")
        guard !indices.isEmpty else {
            throw TorchError(.invalidArgument, "\(op): expected at least one index tensor for self of shape \(describe(shape: t.shape))")
        }
        guard indices.count <= t.rank else {
            throw TorchError(.indexOutOfRange, "\(op): too many indices for tensor of dimension \(t.rank) (got \(indices.count), shape \(describe(shape: t.shape)))")
        }
        for (d, index) in indices.enumerated() {
            guard index.dtype.isInteger else {
                throw TorchError(.dtypeMismatch, "\(op): tensors used as indices must be long or int tensors, got \(index.dtype)\(describe(shape: index.shape)) for dimension \(d) (a bool mask becomes indices through nonzero, as the subscript does)")
            }
            try Indexing.checkBounds(op, index, size: t.shape[d], dim: d, shape: t.shape)
        }
        let shape = try Meta.broadcastShape(op, indices.map(\.shape))
        args["indices"] = .tensorList(try indices.map { Meta.broadcastView(try Meta.cast($0, to: .int64), to: shape) })
        return shape + t.shape[indices.count...]
    }

    /// Checks `values` against the region `shape` that `indices` select and rewrites it as
    /// a broadcast view of that shape. Like PyTorch's `index_put_`, a tensor must already have
    /// `self`'s dtype; a Swift number is converted.
    static func prepareValues(_ op: String, _ args: inout Arguments, region shape: [Int]) throws {
        let t = args.tensor("self"), values = args.tensor("values")
        guard values.dtype == t.dtype || values.isWrappedNumber else {
            throw TorchError(.dtypeMismatch, "\(op): values must have self's dtype, got \(values.dtype) for the source and \(t.dtype) for the destination")
        }
        guard (try? Meta.broadcastShape(op, [values.shape, shape])) == shape else {
            throw TorchError(.shapeMismatch, "\(op): shape mismatch: value tensor of shape \(describe(shape: values.shape)) cannot be broadcast to indexing result of shape \(describe(shape: shape))")
        }
        args["values"] = .tensor(Meta.broadcastView(try Meta.cast(values, to: t.dtype), to: shape))
    }
}

extension Op {
    /// `self[indices[0], indices[1], ...]`: the elements at the given positions of the
    /// leading dims, gathered into a new tensor (a copy, as in PyTorch).
    public static let index = declare(OperatorDefinition(
        "index(Tensor self, Tensor[] indices) -> Tensor", group: .indexing,
        meta: { args in
            let shape = try AdvancedIndexing.prepare("index", &args)
            return [TensorSpec(shape, args.tensor("self").dtype)]
        }, derivative: SubscriptGrad.index))

    /// Writes `values` (broadcast) at `self[indices[0], indices[1], ...]`, in place; with
    /// `accumulate`, adds them instead, summing at repeated positions. Without it, the last
    /// write to a repeated position wins.
    public static let indexPut_ = declare(OperatorDefinition(
        "index_put_(Tensor self, Tensor[] indices, Tensor values, bool accumulate=False) -> Tensor", group: .indexing,
        meta: { args in
            try InPlace.checkWritable("index_put_", args.tensor("self"))
            let region = try AdvancedIndexing.prepare("index_put_", &args)
            try AdvancedIndexing.prepareValues("index_put_", &args, region: region)
            try InPlace.checkOverlap("index_put_", args.tensor("self"), args.tensor("values"), "values")
            return []
        }))

    /// `self` with `values` written (or added) at the indexed positions, as a new tensor:
    /// the differentiable form of `index_put_`.
    public static let indexPut = declare(OperatorDefinition(
        "index_put(Tensor self, Tensor[] indices, Tensor values, bool accumulate=False) -> Tensor", group: .indexing,
        composite: { args in
            let copy = try args.tensor("self").clone()
            return [try copy.indexPut_(args.tensorList("indices"), args.tensor("values"), accumulate: args.bool("accumulate"))]
        }, derivative: SubscriptGrad.indexPut))

    /// The positions of the non-zero (true) elements, one row `[n, rank]` of int64 each, in
    /// row-major order. The count is known only from the data, so it is computed on the host
    /// (as PyTorch's CUDA `nonzero` synchronises) and the result placed on `self`'s device.
    public static let nonzero = declare(OperatorDefinition(
        "nonzero(Tensor self) -> Tensor", group: .indexing,
        composite: { args in
            let t = args.tensor("self")
            let host = try t.to(.cpu)
            let flags: [Bool] = t.dtype.isFloatingPoint ? host.doubleValues().map { $0 != 0 } : host.int64Values().map { $0 != 0 }
            let strides = Tensor.contiguousStrides(for: t.shape)
            var rows: [Int64] = []
            for (flat, isSet) in flags.enumerated() where isSet {
                for (size, stride) in zip(t.shape, strides) { rows.append(Int64(flat / stride % Swift.max(size, 1))) }
            }
            return [try Tensor(rows, shape: [flags.count { $0 }, t.rank]).to(t.device)]
        }))

    static let subscriptFamily = [select, slice, index, indexPut_, indexPut, nonzero]
}

extension Tensor {
    /// The elements at the positions of `indices` (integer tensors for the leading dims,
    /// broadcast together), as PyTorch's `x[i, j]` with tensors `i`, `j`: a copy.
    public func index(_ indices: [Tensor]) throws -> Tensor {
        try dispatch(Op.index, [.tensor(self), .tensorList(indices)])
    }

    /// This tensor with `values` written (or, with `accumulate`, added) at `indices`, as a
    /// new tensor; differentiable with respect to both.
    public func indexPut(_ indices: [Tensor], _ values: Tensor, accumulate: Bool = false) throws -> Tensor {
        try dispatch(Op.indexPut, [.tensor(self), .tensorList(indices), .tensor(values)], [("accumulate", .bool(accumulate))])
    }

    /// Writes `values` (or, with `accumulate`, adds them) at `indices`, in place, and
    /// returns this tensor (PyTorch's `index_put_`).
    @discardableResult
    public func indexPut_(_ indices: [Tensor], _ values: Tensor, accumulate: Bool = false) throws -> Tensor {
        try InPlace.call(Op.indexPut_, self, [.tensorList(indices), .tensor(values)], [("accumulate", .bool(accumulate))])
    }

    /// The positions of the non-zero (true) elements as an int64 `[n, rank]` tensor.
    public func nonzero() throws -> Tensor { try dispatch(Op.nonzero, [.tensor(self)]) }
}
