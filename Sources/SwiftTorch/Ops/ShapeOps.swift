import SwiftTorchCore

// Shape operators. All but `cat` are views: composite implementations that compute new
// geometry over the same storage, shared by every backend and device.

enum Geometry {
    /// Strides that let `newShape` view the elements of (`shape`, `strides`) without a copy,
    /// or nil when no such strides exist (PyTorch's `computeStride`).
    static func viewStrides(shape: [Int], strides: [Int], newShape: [Int]) -> [Int]? {
        if shape.isEmpty || shape.reduce(1, *) == 0 { return Tensor.contiguousStrides(for: newShape) }
        var newStrides = [Int](repeating: 0, count: newShape.count)
        var viewD = newShape.count - 1
        var chunkBaseStride = strides.last!
        var tensorNumel = 1, viewNumel = 1
        for tensorD in stride(from: shape.count - 1, through: 0, by: -1) {
            tensorNumel *= shape[tensorD]
            if tensorD == 0 || (shape[tensorD - 1] != 1 && strides[tensorD - 1] != tensorNumel * chunkBaseStride) {
                while viewD >= 0 && (viewNumel < tensorNumel || newShape[viewD] == 1) {
                    newStrides[viewD] = viewNumel * chunkBaseStride
                    viewNumel *= newShape[viewD]
                    viewD -= 1
                }
                if viewNumel != tensorNumel { return nil }
                if tensorD > 0 {
                    chunkBaseStride = strides[tensorD - 1]
                    tensorNumel = 1
                    viewNumel = 1
                }
            }
        }
        return viewD == -1 ? newStrides : nil
    }

    /// Resolves one `-1` in a requested shape and checks the element count. The known
    /// sizes are multiplied with overflow checks: the request is the user's.
    static func inferShape(_ op: String, _ requested: [Int], count: Int, from shape: [Int]) throws -> [Int] {
        let unknown = requested.indices.filter { requested[$0] == -1 }
        guard unknown.count <= 1, requested.allSatisfy({ $0 >= -1 }) else {
            throw TorchError(.invalidArgument, "\(op): invalid shape \(describe(shape: requested)); sizes must be >= 0 with at most one -1")
        }
        let known = try ShapeArithmetic.elementCount(op, requested.filter { $0 != -1 })
        guard let u = unknown.first else {
            guard known == count else {
                throw TorchError(.shapeMismatch, "\(op): shape \(describe(shape: requested)) is invalid for input of shape \(describe(shape: shape)): element count differs (\(known) vs \(count))")
            }
            return requested
        }
        guard known != 0, count % known == 0 else {
            throw TorchError(.shapeMismatch, "\(op): shape \(describe(shape: requested)) is invalid for input of shape \(describe(shape: shape)) (\(count) elements)")
        }
        var result = requested
        result[u] = count / known
        return result
    }

    /// A view of `t`'s storage with new geometry, checked against that storage: view
    /// operators compute their geometry from user sizes (expand's, narrow's), so a mistake
    /// in either is an error naming `op`, never an out-of-bounds view.
    static func view(_ op: String, _ t: Tensor, shape: [Int], strides: [Int], offset: Int? = nil) throws -> Tensor {
        let offset = offset ?? t.offset
        try ShapeArithmetic.checkView(op, shape: shape, strides: strides, offset: offset, dtype: t.dtype, storageBytes: t.storage.byteCount)
        return Tensor(uncheckedViewOf: t, shape: shape, strides: strides, offset: offset)
    }
}

extension Op {
    /// A view when the strides allow it, else a copy (PyTorch's `reshape`).
    public static let reshape = declare(OperatorDefinition(
        "reshape(Tensor self, int[] shape) -> Tensor", group: .shape,
        composite: { args in
            let t = args.tensor("self")
            let shape = try Geometry.inferShape("reshape", args.ints("shape"), count: t.count, from: t.shape)
            if let strides = Geometry.viewStrides(shape: t.shape, strides: t.strides, newShape: shape) {
                return [try Geometry.view("reshape", t, shape: shape, strides: strides)]
            }
            let copy = try t.clone()
            return [try Geometry.view("reshape", copy, shape: shape, strides: Tensor.contiguousStrides(for: shape))]
        }, derivative: ShapeGrad.reshapeBack))
    /// The `permute(Tensor self, int[] dims) -> Tensor` operator.
    public static let permute = declare(OperatorDefinition(
        "permute(Tensor self, int[] dims) -> Tensor", group: .shape,
        composite: { args in
            let t = args.tensor("self")
            let given = args.ints("dims")
            guard given.count == t.rank else {
                throw TorchError(.invalidArgument, "permute: dims \(given) must name each of the \(t.rank) dimensions of shape \(describe(shape: t.shape)) once")
            }
            let dims = try Meta.wrapDims("permute", given, of: t)
            return [try Geometry.view("permute", t, shape: dims.map { t.shape[$0] }, strides: dims.map { t.strides[$0] })]
        }, derivative: ShapeGrad.permute))
    /// The `transpose(Tensor self, int dim0, int dim1) -> Tensor` operator.
    public static let transpose = declare(OperatorDefinition(
        "transpose(Tensor self, int dim0, int dim1) -> Tensor", group: .shape,
        composite: { args in
            let t = args.tensor("self")
            if t.rank == 0 { _ = try Meta.wrapDim("transpose", args.int("dim0"), rank: 0, shape: []); return [t.alias()] }
            let a = try Meta.wrapDim("transpose", args.int("dim0"), rank: t.rank, shape: t.shape)
            let b = try Meta.wrapDim("transpose", args.int("dim1"), rank: t.rank, shape: t.shape)
            var shape = t.shape, strides = t.strides
            shape.swapAt(a, b)
            strides.swapAt(a, b)
            return [try Geometry.view("transpose", t, shape: shape, strides: strides)]
        }, derivative: ShapeGrad.transpose))
    /// The `squeeze(Tensor self, int[]? dim=None) -> Tensor` operator.
    public static let squeeze = declare(OperatorDefinition(
        "squeeze(Tensor self, int[]? dim=None) -> Tensor", group: .shape,
        composite: { args in
            let t = args.tensor("self")
            let dims = try args.optionalInts("dim").map { try Meta.wrapDims("squeeze", $0, of: t) } ?? Array(0..<t.rank)
            let keep = (0..<t.rank).filter { !(dims.contains($0) && t.shape[$0] == 1) }
            return [try Geometry.view("squeeze", t, shape: keep.map { t.shape[$0] }, strides: keep.map { t.strides[$0] })]
        }, derivative: ShapeGrad.reshapeBack))
    /// The `unsqueeze(Tensor self, int dim) -> Tensor` operator.
    public static let unsqueeze = declare(OperatorDefinition(
        "unsqueeze(Tensor self, int dim) -> Tensor", group: .shape,
        composite: { args in
            let t = args.tensor("self")
            let d = try Meta.wrapDim("unsqueeze", args.int("dim"), rank: t.rank + 1, shape: t.shape)
            var shape = t.shape, strides = t.strides
            let stride = d < t.rank ? t.strides[d] * t.shape[d] : 1
            shape.insert(1, at: d)
            strides.insert(Swift.max(stride, 1), at: d)
            return [try Geometry.view("unsqueeze", t, shape: shape, strides: strides)]
        }, derivative: ShapeGrad.reshapeBack))
    /// The `flatten(Tensor self, int start_dim=0, int end_dim=-1) -> Tensor` operator.
    public static let flatten = declare(OperatorDefinition(
        "flatten(Tensor self, int start_dim=0, int end_dim=-1) -> Tensor", group: .shape,
        composite: { args in
            let t = args.tensor("self")
            if t.rank == 0 { return [try t.reshape([1])] }
            let s = try Meta.wrapDim("flatten", args.int("start_dim"), rank: t.rank, shape: t.shape)
            let e = try Meta.wrapDim("flatten", args.int("end_dim"), rank: t.rank, shape: t.shape)
            guard s <= e else {
                throw TorchError(.invalidArgument, "flatten: start_dim \(s) comes after end_dim \(e) for shape \(describe(shape: t.shape))")
            }
            let shape = Array(t.shape[..<s]) + [t.shape[s...e].reduce(1, *)] + Array(t.shape[(e + 1)...])
            return [try t.reshape(shape)]
        }, derivative: ShapeGrad.reshapeBack))
    /// The `expand(Tensor self, int[] size) -> Tensor` operator.
    public static let expand = declare(OperatorDefinition(
        "expand(Tensor self, int[] size) -> Tensor", group: .shape,
        composite: { args in
            let t = args.tensor("self")
            let size = args.ints("size")
            guard size.count >= t.rank else {
                throw TorchError(.shapeMismatch, "expand: the requested size \(describe(shape: size)) has fewer dimensions than the tensor's shape \(describe(shape: t.shape))")
            }
            let lead = size.count - t.rank
            var shape = size, strides = [Int](repeating: 0, count: size.count)
            for d in 0..<size.count {
                if d < lead {
                    guard size[d] >= 0 else {
                        throw TorchError(.invalidArgument, "expand: the new leading dimension \(d) must have a non-negative size, got \(size[d]) in \(describe(shape: size)) (-1 only keeps an existing size)")
                    }
                    continue
                }
                guard size[d] >= -1 else {
                    throw TorchError(.invalidArgument, "expand: sizes must be non-negative (or -1 to keep a size), got \(size[d]) at dimension \(d) of \(describe(shape: size))")
                }
                let old = t.shape[d - lead]
                if size[d] == -1 || size[d] == old {
                    shape[d] = old
                    strides[d] = t.strides[d - lead]
                } else if old == 1 {
                    strides[d] = 0
                } else {
                    throw TorchError(.shapeMismatch, "expand: size \(old) at dimension \(d - lead) of shape \(describe(shape: t.shape)) cannot expand to \(size[d]) in \(describe(shape: size)); only size-1 dimensions expand")
                }
            }
            return [try Geometry.view("expand", t, shape: shape, strides: strides)]
        }, derivative: ShapeGrad.expand))
    /// The `narrow(Tensor self, int dim, int start, int length) -> Tensor` operator.
    public static let narrow = declare(OperatorDefinition(
        "narrow(Tensor self, int dim, int start, int length) -> Tensor", group: .shape,
        composite: { args in
            let t = args.tensor("self")
            guard t.rank > 0 else { throw TorchError(.dimOutOfRange, "narrow: cannot narrow a 0-d tensor") }
            let d = try Meta.wrapDim("narrow", args.int("dim"), rank: t.rank, shape: t.shape)
            var start = args.int("start")
            let length = args.int("length")
            if start < 0 { start += t.shape[d] }
            // `length <= size - start`, not `start + length <= size`: the sum can overflow.
            guard start >= 0, start <= t.shape[d], length >= 0, length <= t.shape[d] - start else {
                throw TorchError(.indexOutOfRange, "narrow: start \(args.int("start")) and length \(length) exceed dimension \(d) of size \(t.shape[d]) (shape \(describe(shape: t.shape)))")
            }
            var shape = t.shape
            shape[d] = length
            // A size-1 dimension may carry any stride, so even start * stride is checked.
            let skip = try ShapeArithmetic.product("narrow", start, t.strides[d], "the offset of start \(start) along dimension \(d)")
            let offset = try ShapeArithmetic.sum("narrow", t.offset, skip, "the storage offset of the narrowed view")
            return [try Geometry.view("narrow", t, shape: shape, strides: t.strides, offset: offset)]
        }, derivative: ShapeGrad.narrow))
    /// Concatenates along an existing dimension; inputs are promoted to one dtype.
    public static let cat = declare(OperatorDefinition(
        "cat(Tensor[] tensors, int dim=0) -> Tensor", group: .shape,
        meta: { args in
            // PyTorch skips 1-D empty tensors in cat for backward compatibility.
            let all = args.tensorList("tensors")
            guard !all.isEmpty else { throw TorchError(.invalidArgument, "cat: expected a non-empty list of tensors") }
            let tensors = all.filter { !($0.rank == 1 && $0.shape[0] == 0) }
            guard let first = tensors.first else {
                args["tensors"] = .tensorList([all[0]])
                args["dim"] = .int(0)
                return [TensorSpec([0], Meta.resultType(all))]
            }
            guard first.rank > 0 else { throw TorchError(.invalidArgument, "cat: zero-dimensional tensors cannot be concatenated") }
            let d = try Meta.wrapDim("cat", args.int("dim"), rank: first.rank, shape: first.shape)
            var shape = first.shape
            shape[d] = 0
            for t in tensors {
                guard t.rank == first.rank, (0..<t.rank).allSatisfy({ $0 == d || t.shape[$0] == first.shape[$0] }) else {
                    throw TorchError(.shapeMismatch, "cat: sizes of tensors must match except in dimension \(d): got \(describe(shape: first.shape)) and \(describe(shape: t.shape))")
                }
                shape[d] = try ShapeArithmetic.sum("cat", shape[d], t.shape[d], "the concatenated size of dimension \(d)")
            }
            let dtype = Meta.resultType(tensors)
            args["tensors"] = .tensorList(try tensors.map { try Meta.cast($0, to: dtype) })
            args["dim"] = .int(d)
            return [TensorSpec(shape, dtype)]
        }, derivative: ShapeGrad.cat))
    /// Joins tensors of one shape along a new dimension.
    public static let stack = declare(OperatorDefinition(
        "stack(Tensor[] tensors, int dim=0) -> Tensor", group: .shape,
        composite: { args in
            let tensors = args.tensorList("tensors")
            guard let first = tensors.first else { throw TorchError(.invalidArgument, "stack: expected a non-empty list of tensors") }
            for t in tensors where t.shape != first.shape {
                throw TorchError(.shapeMismatch, "stack: expects each tensor to be equal size, but got \(describe(shape: first.shape)) and \(describe(shape: t.shape))")
            }
            let d = try Meta.wrapDim("stack", args.int("dim"), rank: first.rank + 1, shape: first.shape)
            return [try SwiftTorch.cat(tensors.map { try $0.unsqueeze(d) }, dim: d)]
        }))

    /// A view with explicit geometry over the same storage; every element it reaches must
    /// lie inside the storage.
    public static let asStrided = declare(OperatorDefinition(
        "as_strided(Tensor self, int[] size, int[] stride, int storage_offset) -> Tensor", group: .shape,
        composite: { args in
            let t = args.tensor("self")
            return [try Geometry.view("as_strided", t, shape: args.ints("size"), strides: args.ints("stride"), offset: args.int("storage_offset"))]
        }))

    static let shapeFamily = [reshape, permute, transpose, squeeze, unsqueeze, flatten, expand, narrow, cat, stack, asStrided]
}
