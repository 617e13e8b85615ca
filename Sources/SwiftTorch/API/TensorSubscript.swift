import SwiftTorchCore

extension Tensor {
    /// The entries `indices` pick, as Python's `x[...]` (see ``TensorIndex`` for the
    /// spellings): `x[0]`, `x[.all, 1]`, `x[.ellipsis, -1]`, `x[1..<3, .newAxis]`, `x[mask]`,
    /// `x[idx, 0]`. Integers, ranges and strides give a view; tensors give a copy, as in
    /// PyTorch. Differentiable. An out-of-range index throws, naming the dimension and its size.
    ///
    /// Swift's subscripts cannot throw from a setter, so assignment is ``set(_:to:)-(_,Tensor)``.
    public subscript(_ indices: any TensorIndexExpression...) -> Tensor {
        get throws { try ResolvedSubscript(indices.map(\.tensorIndex), of: self).read() }
    }

    /// Writes `value` (broadcast, converted to this tensor's dtype) where `indices` point:
    /// Python's `x[...] = value`. `try x.set(.all, 1, to: y)` is `x[:, 1] = y`.
    ///
    /// It writes in place, so the rules of in-place operators hold: this tensor must not
    /// require grad while gradients are recorded (write inside `withNoGrad { }`), and a
    /// `value` that requires grad is refused, since the write is not recorded (use the
    /// differentiable ``indexPut(_:_:accumulate:)`` instead).
    public func set(_ indices: any TensorIndexExpression..., to value: Tensor) throws {
        if GradMode.isEnabled, value.requiresGrad {
            throw TorchError(.autograd, "set: the value \(value.dtype)\(describe(shape: value.shape)) requires grad, but an indexed assignment writes in place and is not recorded; use indexPut (differentiable) or detach() the value")
        }
        try ResolvedSubscript(indices.map(\.tensorIndex), of: self).write(value)
    }

    /// Writes the number `value` (converted to this tensor's dtype) where `indices` point:
    /// Python's `x[...] = 0`. `try x.set(mask, to: 0)` is `x[mask] = 0`.
    public func set<S: TensorScalar>(_ indices: any TensorIndexExpression..., to value: S) throws {
        try ResolvedSubscript(indices.map(\.tensorIndex), of: self).write(number: value.argument)
    }
}

/// A subscript applied to a tensor as PyTorch applies it: integers, ranges, strides, new
/// axes and the ellipsis make a view (`select`, `slice`, `unsqueeze`); the tensors among the
/// entries (bool masks through `nonzero`) remain, each indexing one dimension of that view.
struct ResolvedSubscript {
    /// The view the basic entries make.
    private(set) var view: Tensor
    /// Integer index tensors and the dims of `view` they index, in increasing dim order.
    private(set) var advanced: [(dim: Int, index: Tensor)] = []

    init(_ entries: [TensorIndex], of x: Tensor) throws {
        view = x
        let covered = try ResolvedSubscript.dimensionsCovered(entries, of: x)
        // `dim` counts dims of the view being built; `source` counts dims of `x`, so that
        // errors name the dimension the user wrote.
        var dim = 0, source = 0
        for entry in entries {
            switch entry.kind {
            case .integer(let i):
                let wrapped = try Subscripts.wrapIndex(i, dim: source, shape: x.shape)
                view = try dispatch(Op.select, [.tensor(view), .int(dim), .int(wrapped)])
                source += 1
            case .slice(let start, let end, let step):
                guard step > 0 else {
                    throw TorchError(.invalidArgument, "index: step must be greater than zero, got \(step) for dimension \(source) (negative steps are not supported, as in PyTorch)")
                }
                view = try dispatch(Op.slice, [.tensor(view), .int(dim), start.map(ArgumentValue.int) ?? .none,
                                               end.map(ArgumentValue.int) ?? .none, .int(step)])
                dim += 1
                source += 1
            case .ellipsis:
                dim += x.rank - covered
                source += x.rank - covered
            case .newAxis:
                view = try view.unsqueeze(dim)
                dim += 1
            case .integers(let list):
                try addIndex(Tensor(list.map(Int64.init), shape: [list.count]), dim: dim, source: source, of: x)
                dim += 1
                source += 1
            case .tensor(let t) where t.dtype == .bool:
                let k = try addMask(t, dim: dim, source: source, of: x)
                dim += Swift.max(k, 1)
                source += k
            case .tensor(let t):
                try addIndex(t, dim: dim, source: source, of: x)
                dim += 1
                source += 1
            }
        }
    }

    /// How many dims of `x` the entries other than the ellipsis consume; checks that they
    /// fit and that there is at most one ellipsis.
    private static func dimensionsCovered(_ entries: [TensorIndex], of x: Tensor) throws -> Int {
        var covered = 0, ellipses = 0
        for entry in entries {
            switch entry.kind {
            case .integer, .slice, .integers: covered += 1
            case .tensor(let t): covered += t.dtype == .bool ? t.rank : 1
            case .ellipsis: ellipses += 1
            case .newAxis: continue
            }
        }
        guard ellipses <= 1 else {
            throw TorchError(.invalidArgument, "index: an index can only have a single ellipsis (got \(ellipses))")
        }
        guard covered <= x.rank else {
            if x.rank == 0 {
                throw TorchError(.indexOutOfRange, "index: too many indices for a 0-d tensor (got \(covered)); use item() to read its value")
            }
            throw TorchError(.indexOutOfRange, "index: too many indices for tensor of dimension \(x.rank) (got \(covered), shape \(describe(shape: x.shape)))")
        }
        return covered
    }

    /// An integer index tensor for `view`'s dim `dim` (`x`'s dim `source`), bounds-checked.
    private mutating func addIndex(_ index: Tensor, dim: Int, source: Int, of x: Tensor) throws {
        guard index.dtype.isInteger else {
            throw TorchError(.dtypeMismatch, "index: tensors used as indices must be long, int or bool tensors, got \(index.dtype)\(describe(shape: index.shape)) for dimension \(source)")
        }
        try Indexing.checkBounds("index", index, size: x.shape[source], dim: source, shape: x.shape)
        advanced.append((dim, try index.to(view.device)))
    }

    /// A bool mask over `view`'s dims `dim..<dim+k`, as one index tensor per dim (its
    /// `nonzero` columns); returns `k`. A 0-d mask adds a dim of size 1 (true) or 0 (false).
    private mutating func addMask(_ mask: Tensor, dim: Int, source: Int, of x: Tensor) throws -> Int {
        if mask.rank == 0 {
            view = try view.unsqueeze(dim)
            let picked: [Int64] = try mask.item(Bool.self) ? [0] : []
            advanced.append((dim, try Tensor(picked, shape: [picked.count], device: view.device)))
            return 0
        }
        let covered = Array(view.shape[dim..<(dim + mask.rank)])
        for (j, (m, s)) in zip(mask.shape, covered).enumerated() where m != s {
            throw TorchError(.indexOutOfRange, "index: the shape of the mask \(describe(shape: mask.shape)) at index \(j) does not match the shape of the indexed tensor \(describe(shape: x.shape)) at index \(source + j)")
        }
        let positions = try mask.nonzero().to(view.device)
        for j in 0..<mask.rank { advanced.append((dim + j, try dispatch(Op.select, [.tensor(positions), .int(1), .int(j)]))) }
        return mask.rank
    }

    // MARK: Reading and writing

    /// The dims of `view` that no tensor indexes, in order.
    private var plainDims: [Int] { (0..<view.rank).filter { d in !advanced.contains { $0.dim == d } } }

    /// PyTorch's layout rule: indexed dims that are adjacent keep their place in the result
    /// (the position returned); separated ones move to the front (nil).
    private var blockPosition: Int? {
        guard let first = advanced.first?.dim, first > 0 else { return nil }
        return advanced.map(\.dim) == Array(first..<(first + advanced.count)) ? first : nil
    }

    /// `view` with the indexed dims first, as `index` and `index_put_` expect (a view).
    private func movedView() throws -> Tensor {
        let order = advanced.map(\.dim) + plainDims
        return order == Array(0..<view.rank) ? view : try view.permute(order)
    }

    /// The dims of a front-layout result put back in PyTorch's layout, for a result whose
    /// first `broadcastRank` dims are the indices' broadcast shape.
    private func resultOrder(broadcastRank: Int, rank: Int) -> [Int]? {
        guard let p = blockPosition else { return nil }
        return Array(broadcastRank..<(broadcastRank + p)) + Array(0..<broadcastRank) + Array((broadcastRank + p)..<rank)
    }

    /// The elements picked: the view itself, or the gathered copy.
    func read() throws -> Tensor {
        guard !advanced.isEmpty else { return view }
        let gathered = try movedView().index(advanced.map(\.index))
        let order = resultOrder(broadcastRank: gathered.rank - plainDims.count, rank: gathered.rank)
        return try order.map { try gathered.permute($0) } ?? gathered
    }

    /// Writes `value` through the view, or with `index_put_` at the indexed positions.
    func write(_ value: Tensor) throws {
        guard !advanced.isEmpty else {
            try view.copy_(ResolvedSubscript.droppingLeadingOnes(value, toRank: view.rank))
            return
        }
        let broadcast = try Meta.broadcastShape("index", advanced.map(\.index.shape))
        let plain = plainDims.map { view.shape[$0] }
        let frontShape = broadcast + plain
        let order = resultOrder(broadcastRank: broadcast.count, rank: frontShape.count)
        // The region as the user sees it (PyTorch's layout), which `value` must broadcast to.
        let region = order.map { $0.map { frontShape[$0] } } ?? frontShape
        var source = try ResolvedSubscript.droppingLeadingOnes(value, toRank: region.count).to(view.dtype)
        guard (try? Meta.broadcastShape("index", [source.shape, region])) == region else {
            throw TorchError(.shapeMismatch, "index: shape mismatch: value tensor of shape \(describe(shape: value.shape)) cannot be broadcast to indexing result of shape \(describe(shape: region))")
        }
        source = try source.expand(region)
        if let order {
            var inverse = [Int](repeating: 0, count: order.count)
            for (i, d) in order.enumerated() { inverse[d] = i }
            source = try source.permute(inverse)
        }
        try movedView().indexPut_(advanced.map(\.index), source)
    }

    /// Writes the number `value` at every position picked.
    func write(number value: ArgumentValue) throws {
        guard !advanced.isEmpty else {
            _ = try InPlace.call(Op.fill_, view, [value])
            return
        }
        _ = try InPlace.call(Op.indexPut_, try movedView(), [.tensorList(advanced.map(\.index)), value])
    }

    /// `value` without the leading size-1 dims beyond `rank`, as PyTorch's assignment
    /// allows (`x[0] = ones([1, 3])` for a row of 3).
    private static func droppingLeadingOnes(_ value: Tensor, toRank rank: Int) throws -> Tensor {
        var result = value
        while result.rank > rank, result.shape[0] == 1 { result = try result.squeeze(0) }
        return result
    }
}
