import SwiftTorchCore

// Reductions. Meta rules wrap and sort `dim` (an absent or empty list means every
// dimension), so kernels read `dim` as a sorted list of distinct, non-negative dims.

enum ReductionMeta {
    /// The output shape after reducing `dims`.
    static func shape(_ shape: [Int], dims: [Int], keepdim: Bool) -> [Int] {
        var out: [Int] = []
        for (d, size) in shape.enumerated() {
            if dims.contains(d) { if keepdim { out.append(1) } } else { out.append(size) }
        }
        return out
    }

    /// Normalises the `dim` argument in place and returns the reduced dims.
    static func dims(_ op: String, _ args: inout Arguments, of t: Tensor) throws -> [Int] {
        let given: [Int]
        switch args["dim"] {
        case .ints(let ds): given = ds
        case .int(let d): given = [d]
        default: given = []
        }
        let dims = given.isEmpty ? Array(0..<t.rank) : try Meta.wrapDims(op, given, of: t).sorted()
        args["dim"] = .ints(dims)
        return dims
    }

    /// The dtype a sum-like reduction accumulates and returns: integers and bool widen to
    /// int64, as in PyTorch; an explicit `dtype` argument wins.
    static func sumDType(_ args: Arguments, _ t: Tensor) -> DType {
        args.optionalDType("dtype") ?? (t.dtype.isFloatingPoint ? t.dtype : .int64)
    }

    /// Errors when reducing over an empty dimension for operators that have no identity.
    static func requireNonEmpty(_ op: String, _ t: Tensor, dims: [Int]) throws {
        if t.count == 0, t.rank == 0 || dims.contains(where: { t.shape[$0] == 0 }) || dims.isEmpty {
            throw TorchError(.invalidArgument, "\(op): cannot reduce an empty tensor of shape \(describe(shape: t.shape)) over a zero-size dimension; \(op) has no identity")
        }
    }

    static func sumLike(_ op: String, floatOnly: Bool) -> MetaFunction {
        { args in
            let t = args.tensor("self")
            let dims = try dims(op, &args, of: t)
            var dtype = sumDType(args, t)
            if floatOnly {
                guard let d = args.optionalDType("dtype") ?? (t.dtype.isFloatingPoint ? t.dtype : nil), d.isFloatingPoint else {
                    throw TorchError(.dtypeMismatch, "\(op): input dtype must be floating point, got \(t.dtype); pass dtype: .float32 or convert first")
                }
                dtype = d
            }
            args["self"] = .tensor(try Meta.cast(t, to: dtype))
            return .one(TensorSpec(shape(t.shape, dims: dims, keepdim: args.bool("keepdim")), dtype))
        }
    }

    static func extremum(_ op: String) -> MetaFunction {
        { args in
            let t = args.tensor("self")
            let dims = try dims(op, &args, of: t)
            try requireNonEmpty(op, t, dims: dims)
            if t.dtype == .bool { args["self"] = .tensor(try Meta.cast(t, to: .int64)) }
            return .one(TensorSpec(shape(t.shape, dims: dims, keepdim: args.bool("keepdim")), t.dtype))
        }
    }

    /// max/min: without `dim`, the extremum of all elements; with it, values and indices.
    static func valuesAndIndices(_ op: String) -> MetaFunction {
        { args in
            let t = args.tensor("self")
            guard let d = args.optionalInt("dim") else {
                try requireNonEmpty(op, t, dims: [])
                return [TensorSpec([], t.dtype)]
            }
            let dim = try Meta.wrapDim(op, d, rank: t.rank, shape: t.shape)
            args["dim"] = .int(dim)
            if t.rank > 0, t.shape[dim] == 0 {
                throw TorchError(.invalidArgument, "\(op): cannot take \(op) over dimension \(dim) of size 0 (shape \(describe(shape: t.shape)))")
            }
            let out = shape(t.shape, dims: t.rank == 0 ? [] : [dim], keepdim: args.bool("keepdim"))
            return [TensorSpec(out, t.dtype), TensorSpec(out, .int64)]
        }
    }

    static func argExtremum(_ op: String) -> MetaFunction {
        { args in
            let t = args.tensor("self")
            guard let d = args.optionalInt("dim") else {
                try requireNonEmpty(op, t, dims: [])
                return [TensorSpec(args.bool("keepdim") ? [Int](repeating: 1, count: t.rank) : [], .int64)]
            }
            let dim = try Meta.wrapDim(op, d, rank: t.rank, shape: t.shape)
            args["dim"] = .int(dim)
            if t.rank > 0, t.shape[dim] == 0 {
                throw TorchError(.invalidArgument, "\(op): cannot take \(op) over dimension \(dim) of size 0 (shape \(describe(shape: t.shape)))")
            }
            return [TensorSpec(shape(t.shape, dims: t.rank == 0 ? [] : [dim], keepdim: args.bool("keepdim")), .int64)]
        }
    }

    static func variance(_ op: String) -> MetaFunction {
        { args in
            let t = args.tensor("self")
            guard t.dtype.isFloatingPoint else {
                throw TorchError(.dtypeMismatch, "\(op): input dtype must be floating point, got \(t.dtype)")
            }
            let dims = try dims(op, &args, of: t)
            return .one(TensorSpec(shape(t.shape, dims: dims, keepdim: args.bool("keepdim")), t.dtype))
        }
    }
}

extension Op {
    /// The `sum(Tensor self, int[]? dim=None, bool keepdim=False, *, ScalarType? dtype=None) ->
    /// Tensor` operator.
    public static let sum = declare(OperatorDefinition(
        "sum(Tensor self, int[]? dim=None, bool keepdim=False, *, ScalarType? dtype=None) -> Tensor",
        group: .reduction, meta: ReductionMeta.sumLike("sum", floatOnly: false), derivative: ReductionGrad.sum))
    /// The `mean(Tensor self, int[]? dim=None, bool keepdim=False, *, ScalarType? dtype=None)
    /// -> Tensor` operator.
    public static let mean = declare(OperatorDefinition(
        "mean(Tensor self, int[]? dim=None, bool keepdim=False, *, ScalarType? dtype=None) -> Tensor",
        group: .reduction, meta: ReductionMeta.sumLike("mean", floatOnly: true), derivative: ReductionGrad.mean))
    /// The `prod(Tensor self, int? dim=None, bool keepdim=False, *, ScalarType? dtype=None) ->
    /// Tensor` operator.
    public static let prod = declare(OperatorDefinition(
        "prod(Tensor self, int? dim=None, bool keepdim=False, *, ScalarType? dtype=None) -> Tensor",
        group: .reduction, meta: ReductionMeta.sumLike("prod", floatOnly: false), derivative: ReductionGrad.prod))
    /// The `amax(Tensor self, int[] dim=[], bool keepdim=False) -> Tensor` operator.
    public static let amax = declare(OperatorDefinition(
        "amax(Tensor self, int[] dim=[], bool keepdim=False) -> Tensor", group: .reduction, meta: ReductionMeta.extremum("amax"), derivative: ReductionGrad.evenlyAmongExtrema))
    /// The `amin(Tensor self, int[] dim=[], bool keepdim=False) -> Tensor` operator.
    public static let amin = declare(OperatorDefinition(
        "amin(Tensor self, int[] dim=[], bool keepdim=False) -> Tensor", group: .reduction, meta: ReductionMeta.extremum("amin"), derivative: ReductionGrad.evenlyAmongExtrema))
    /// The `max(Tensor self, int? dim=None, bool keepdim=False) -> (Tensor values, Tensor
    /// indices)` operator.
    public static let max = declare(OperatorDefinition(
        "max(Tensor self, int? dim=None, bool keepdim=False) -> (Tensor values, Tensor indices)",
        group: .reduction, meta: ReductionMeta.valuesAndIndices("max"), derivative: ReductionGrad.selected))
    /// The `min(Tensor self, int? dim=None, bool keepdim=False) -> (Tensor values, Tensor
    /// indices)` operator.
    public static let min = declare(OperatorDefinition(
        "min(Tensor self, int? dim=None, bool keepdim=False) -> (Tensor values, Tensor indices)",
        group: .reduction, meta: ReductionMeta.valuesAndIndices("min"), derivative: ReductionGrad.selected))
    /// The `argmax(Tensor self, int? dim=None, bool keepdim=False) -> Tensor` operator.
    public static let argmax = declare(OperatorDefinition(
        "argmax(Tensor self, int? dim=None, bool keepdim=False) -> Tensor", group: .reduction, meta: ReductionMeta.argExtremum("argmax")))
    /// The `argmin(Tensor self, int? dim=None, bool keepdim=False) -> Tensor` operator.
    public static let argmin = declare(OperatorDefinition(
        "argmin(Tensor self, int? dim=None, bool keepdim=False) -> Tensor", group: .reduction, meta: ReductionMeta.argExtremum("argmin")))
    /// The `var(Tensor self, int[]? dim=None, *, Scalar? correction=None, bool keepdim=False)
    /// -> Tensor` operator.
    public static let `var` = declare(OperatorDefinition(
        "var(Tensor self, int[]? dim=None, *, Scalar? correction=None, bool keepdim=False) -> Tensor",
        group: .reduction, meta: ReductionMeta.variance("var"), derivative: ReductionGrad.variance))
    /// The `std(Tensor self, int[]? dim=None, *, Scalar? correction=None, bool keepdim=False)
    /// -> Tensor` operator.
    public static let std = declare(OperatorDefinition(
        "std(Tensor self, int[]? dim=None, *, Scalar? correction=None, bool keepdim=False) -> Tensor",
        group: .reduction, meta: ReductionMeta.variance("std"), derivative: ReductionGrad.std))
    /// The `logsumexp(Tensor self, int[] dim, bool keepdim=False) -> Tensor` operator.
    public static let logsumexp = declare(OperatorDefinition(
        "logsumexp(Tensor self, int[] dim, bool keepdim=False) -> Tensor", group: .reduction,
        meta: { args in
            let t = args.tensor("self")
            let dtype = Meta.floatCompute(t.dtype)
            args["self"] = .tensor(try Meta.cast(t, to: dtype))
            let dims = try ReductionMeta.dims("logsumexp", &args, of: t)
            return .one(TensorSpec(ReductionMeta.shape(t.shape, dims: dims, keepdim: args.bool("keepdim")), dtype))
        }, derivative: ReductionGrad.logsumexp))
    /// The `cumsum(Tensor self, int dim, *, ScalarType? dtype=None) -> Tensor` operator.
    public static let cumsum = declare(OperatorDefinition(
        "cumsum(Tensor self, int dim, *, ScalarType? dtype=None) -> Tensor", group: .reduction,
        meta: { args in
            let t = args.tensor("self")
            args["dim"] = .int(try Meta.wrapDim("cumsum", args.int("dim"), rank: t.rank, shape: t.shape))
            let dtype = ReductionMeta.sumDType(args, t)
            args["self"] = .tensor(try Meta.cast(t, to: dtype))
            return .one(TensorSpec(t.shape, dtype))
        }, derivative: ReductionGrad.cumsum))

    static let reductionFamily = [sum, mean, prod, amax, amin, max, min, argmax, argmin, `var`, std, logsumexp, cumsum]
}
