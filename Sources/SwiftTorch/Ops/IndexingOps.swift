import SwiftTorchCore

enum Indexing {
    static func requireIndexDType(_ op: String, _ index: Tensor) throws {
        guard index.dtype.isInteger else {
            throw TorchError(.dtypeMismatch, "\(op): index must be an int64 or int32 tensor, got \(index.dtype)\(describe(shape: index.shape))")
        }
    }

    /// Index values are data, so bounds are checked where the data is: on the CPU here, and
    /// by a device backend's own kernel elsewhere.
    static func checkBounds(_ op: String, _ index: Tensor, size: Int, dim: Int, shape: [Int]) throws {
        guard index.device.isCPU else { return }
        for i in index.int64Values() where i < -Int64(size) || i >= Int64(size) {
            throw TorchError(.indexOutOfRange, "\(op): index \(i) is out of range for dimension \(dim) with size \(size) (self shape \(describe(shape: shape)))")
        }
    }
}

extension Op {
    /// Picks entries along `dim` by a 1-D index (negative indices count from the end).
    public static let indexSelect = declare(OperatorDefinition(
        "index_select(Tensor self, int dim, Tensor index) -> Tensor", group: .indexing,
        meta: { args in
            let t = args.tensor("self"), index = args.tensor("index")
            try Indexing.requireIndexDType("index_select", index)
            guard index.rank <= 1 else {
                throw TorchError(.shapeMismatch, "index_select: index must be 0-D or 1-D, got shape \(describe(shape: index.shape))")
            }
            let d = try Meta.wrapDim("index_select", args.int("dim"), rank: t.rank, shape: t.shape)
            args["dim"] = .int(d)
            try Indexing.checkBounds("index_select", index, size: t.rank == 0 ? 1 : t.shape[d], dim: d, shape: t.shape)
            var shape = t.shape
            if t.rank > 0 { shape[d] = index.count }
            return [TensorSpec(shape, t.dtype)]
        }, derivative: IndexingGrad.indexSelect))
    /// `out[i][j] = self[index[i][j]][j]` for dim 0, and so on for other dims.
    public static let gather = declare(OperatorDefinition(
        "gather(Tensor self, int dim, Tensor index) -> Tensor", group: .indexing,
        meta: { args in
            let t = args.tensor("self"), index = args.tensor("index")
            try Indexing.requireIndexDType("gather", index)
            let d = try Meta.wrapDim("gather", args.int("dim"), rank: t.rank, shape: t.shape)
            args["dim"] = .int(d)
            guard index.rank == t.rank || (t.rank == 0 && index.rank <= 1) else {
                throw TorchError(.shapeMismatch, "gather: index \(describe(shape: index.shape)) and self \(describe(shape: t.shape)) must have the same number of dimensions")
            }
            for i in 0..<index.rank where i != d && index.shape[i] > t.shape[i] {
                throw TorchError(.shapeMismatch, "gather: index size \(index.shape[i]) exceeds self size \(t.shape[i]) at dimension \(i) (index \(describe(shape: index.shape)), self \(describe(shape: t.shape)))")
            }
            try Indexing.checkBounds("gather", index, size: t.rank == 0 ? 1 : t.shape[d], dim: d, shape: t.shape)
            return [TensorSpec(index.shape, t.dtype)]
        }, derivative: IndexingGrad.gather))

    /// `self` with `alpha * source` added at `index` along `dim` (the adjoint of index_select).
    public static let indexAdd = declare(OperatorDefinition(
        "index_add(Tensor self, int dim, Tensor index, Tensor source, *, Scalar alpha=1) -> Tensor", group: .indexing,
        meta: { args in
            let t = args.tensor("self"), index = args.tensor("index"), source = args.tensor("source")
            try Indexing.requireIndexDType("index_add", index)
            let d = try Meta.wrapDim("index_add", args.int("dim"), rank: t.rank, shape: t.shape)
            args["dim"] = .int(d)
            var expected = t.shape
            if t.rank > 0 {
                expected[d] = index.count
            } else if index.count != 1 {
                // A 0-d self is one slot: PyTorch takes exactly one index for it.
                throw TorchError(.shapeMismatch, "index_add: a 0-d self takes exactly one index, got \(index.count) (index \(describe(shape: index.shape)))")
            }
            guard index.rank <= 1, source.shape == expected else {
                throw TorchError(.shapeMismatch, "index_add: source must have shape \(describe(shape: expected)) for self \(describe(shape: t.shape)) and \(index.count) indices, got \(describe(shape: source.shape))")
            }
            try Indexing.checkBounds("index_add", index, size: t.rank == 0 ? 1 : t.shape[d], dim: d, shape: t.shape)
            args["source"] = .tensor(try Meta.cast(source, to: t.dtype))
            return [TensorSpec(t.shape, t.dtype)]
        }, derivative: IndexingGrad.indexAdd))
    /// `self` with `src` added at `index` along `dim` (the adjoint of gather).
    public static let scatterAdd = declare(OperatorDefinition(
        "scatter_add(Tensor self, int dim, Tensor index, Tensor src) -> Tensor", group: .indexing,
        meta: { args in
            let t = args.tensor("self"), index = args.tensor("index"), src = args.tensor("src")
            try Indexing.requireIndexDType("scatter_add", index)
            let d = try Meta.wrapDim("scatter_add", args.int("dim"), rank: t.rank, shape: t.shape)
            args["dim"] = .int(d)
            guard index.rank == t.rank, src.rank == t.rank,
                  (0..<index.rank).allSatisfy({ index.shape[$0] <= src.shape[$0] && ($0 == d || index.shape[$0] <= t.shape[$0]) }) else {
                throw TorchError(.shapeMismatch, "scatter_add: index \(describe(shape: index.shape)) must fit in src \(describe(shape: src.shape)) and, off dim \(d), in self \(describe(shape: t.shape))")
            }
            try Indexing.checkBounds("scatter_add", index, size: t.rank == 0 ? 1 : t.shape[d], dim: d, shape: t.shape)
            args["src"] = .tensor(try Meta.cast(src, to: t.dtype))
            return [TensorSpec(t.shape, t.dtype)]
        }, derivative: IndexingGrad.scatterAdd))

    static let indexingFamily = [indexSelect, gather, indexAdd, scatterAdd] + subscriptFamily
}
