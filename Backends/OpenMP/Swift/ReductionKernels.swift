import COpenMPKernels
import SwiftTorchCore

// Reductions, softmax, matrix products and losses of the openmp backend. Each kernel turns
// its views into an st_geom (ReductionGeometry) and calls one C entry point; the meta rules
// have already wrapped and sorted `dim`, cast `self` to the accumulation dtype and allocated
// contiguous outputs (Sources/SwiftTorch/Ops).

/// Reduction, softmax, matrix-product and loss kernels, registered for float32 and float64.
/// sum, prod, amax, amin, max, min, argmax, argmin and cumsum also take int64 (what the meta
/// rules widen integer and bool inputs to), for a registration that lists int64 for them.
let reductionKernels: [(String, Kernel)] = [
    ("sum", reduce(Int32(ST_RED_SUM))), ("mean", reduce(Int32(ST_RED_MEAN))), ("prod", reduce(Int32(ST_RED_PROD))),
    ("amax", reduce(Int32(ST_RED_AMAX))), ("amin", reduce(Int32(ST_RED_AMIN))),
    ("var", reduce(Int32(ST_RED_VAR), correction: true)), ("std", reduce(Int32(ST_RED_STD), correction: true)),
    ("logsumexp", reduce(Int32(ST_RED_LOGSUMEXP))),
    ("max", argReduce(largest: true)), ("min", argReduce(largest: false)),
    ("argmax", argReduce(largest: true)), ("argmin", argReduce(largest: false)),
    ("cumsum", cumsumKernel),
    ("softmax", softmaxKernel(log: false)), ("log_softmax", softmaxKernel(log: true)),
] + openMPMatmulKernels + openMPLossKernels

private typealias RG = ReductionGeometry

/// sum, mean, prod, amax, amin, var, std, logsumexp over the list `dim` (meta-normalised).
private func reduce(_ op: Int32, correction: Bool = false) -> Kernel {
    { call in
        let args = call.arguments
        let x = args.tensor("self"), out = call.output
        let name = args.schema.name
        // PyTorch's default correction is 1 (Bessel).
        let c = correction ? args.optionalDouble("correction") ?? 1 : 0
        let (outer, inner) = RG.reduction(x, reducing: args.ints("dim"), reorderInner: true)
        // The C kernels write the input's dtype. amax/amin of bool read the int64 cast the
        // meta rule made but return bool (as PyTorch): they reduce into an int64 scratch,
        // then narrow, since writing int64s into the bool output would run 8x past its end.
        let target = try RG.output(out, computing: x.dtype, name)
        try RG.with(outer: outer, inner: inner, name) { g in
            switch x.dtype {
            case .float32: try RG.check(st_reduce_f32(op, RG.pointer(x, Float.self), g, c, RG.pointer(target, Float.self)), name)
            case .float64: try RG.check(st_reduce_f64(op, RG.pointer(x, Double.self), g, c, RG.pointer(target, Double.self)), name)
            case .int64: try RG.check(st_reduce_i64(op, RG.pointer(x, Int64.self), g, RG.pointer(target, Int64.self)), name)
            default: throw RG.unsupported(name, x.dtype)
            }
        }
        if target !== out { RG.narrowToBool(target, into: out) }
    }
}

/// max/min (values and indices along `dim`, or the value over all elements when `dim` is
/// nil) and argmax/argmin (indices; over the flattened tensor when `dim` is nil).
private func argReduce(largest: Bool) -> Kernel {
    { call in
        let args = call.arguments
        let x = args.tensor("self")
        let name = args.schema.name
        let dims = args.optionalInt("dim").map { [$0] } ?? Array(0..<x.rank)
        let isArg = name.hasPrefix("arg")
        let values: Tensor? = isArg ? nil : call.outputs[0]
        // max/min without `dim` return the value only; the kernel still reports the index.
        let indices = isArg ? call.outputs[0] : (call.outputs.count > 1 ? call.outputs[1] : try Tensor(zerosOnCPU: [], dtype: .int64))
        // Row-major order of the reduced dims numbers the positions: no reordering.
        let (outer, inner) = RG.reduction(x, reducing: dims, reorderInner: false)
        try RG.with(outer: outer, inner: inner, name) { g in
            let ip = RG.pointer(indices, Int64.self)
            switch x.dtype {
            case .float32:
                try RG.check(st_argreduce_f32(largest ? 1 : 0, RG.pointer(x, Float.self), g, values.map { RG.pointer($0, Float.self) }, ip), name)
            case .float64:
                try RG.check(st_argreduce_f64(largest ? 1 : 0, RG.pointer(x, Double.self), g, values.map { RG.pointer($0, Double.self) }, ip), name)
            case .int64:
                try RG.check(st_argreduce_i64(largest ? 1 : 0, RG.pointer(x, Int64.self), g, values.map { RG.pointer($0, Int64.self) }, ip), name)
            default: throw RG.unsupported(name, x.dtype)
            }
        }
    }
}

private let cumsumKernel: Kernel = { call in
    let x = call.arguments.tensor("self"), out = call.output
    let (outer, inner) = RG.alongDim(x, out, dim: call.arguments.int("dim"))
    try RG.with(outer: outer, inner: inner, "cumsum") { g in
        switch x.dtype {
        case .float32: try RG.check(st_cumsum_f32(RG.pointer(x, Float.self), g, RG.pointer(out, Float.self)), "cumsum")
        case .float64: try RG.check(st_cumsum_f64(RG.pointer(x, Double.self), g, RG.pointer(out, Double.self)), "cumsum")
        case .int64: try RG.check(st_cumsum_i64(RG.pointer(x, Int64.self), g, RG.pointer(out, Int64.self)), "cumsum")
        default: throw RG.unsupported("cumsum", x.dtype)
        }
    }
}

private func softmaxKernel(log: Bool) -> Kernel {
    { call in
        let x = call.arguments.tensor("self"), out = call.output
        let name = call.arguments.schema.name
        let (outer, inner) = RG.alongDim(x, out, dim: call.arguments.int("dim"))
        try RG.with(outer: outer, inner: inner, name) { g in
            switch x.dtype {
            case .float32: try RG.check(st_softmax_f32(log ? 1 : 0, RG.pointer(x, Float.self), g, RG.pointer(out, Float.self)), name)
            case .float64: try RG.check(st_softmax_f64(log ? 1 : 0, RG.pointer(x, Double.self), g, RG.pointer(out, Double.self)), name)
            default: throw RG.unsupported(name, x.dtype)
            }
        }
    }
}
