import COpenMPKernels
import SwiftTorchCore

// Elementwise kernels of the OpenMP backend: thin Swift wrappers that check what meta
// promised (one dtype, inputs broadcast to the output's shape), describe the views to C
// (StridedLoop) and call one C entry point per op family (omp_elementwise.h).

/// Elementwise, creation, copy, shape and indexing kernels (registered for float32 and
/// float64 by OpenMPBackend).
let elementwiseKernels: [(String, Kernel)] = ElementwiseOMP.binaryKernels + ElementwiseOMP.unaryKernels
    + ElementwiseOMP.otherKernels + ElementwiseCopyOMP.kernels + ElementwiseScatterOMP.kernels

/// The subset of `elementwiseKernels` that also computes bool, int32 and int64 tensors (in
/// the reference's int64 domain: wrapping + - *, integer division and pow errors as the
/// reference raises them), for a registration with those dtypes: integer arithmetic and
/// comparisons, casts from and creation of integer/bool tensors, and the data-movement
/// ops (where, cat, index_select, gather, copy_, index_add, scatter_add), which move any
/// dtype as bits.
let elementwiseIntegerKernels: [(String, Kernel)] = elementwiseKernels.filter { ElementwiseOMP.integerOps.contains($0.0) }

enum ElementwiseOMP {
    /// Ops whose kernels take every dtype (see `elementwiseIntegerKernels`).
    static let integerOps: Set<String> = [
        "add", "sub", "mul", "div", "pow", "maximum", "minimum", "eq", "ne", "lt", "le", "gt", "ge", "where",
        "neg", "abs", "relu", "sign", "floor", "ceil", "round", "square", "clamp",
        "_to_copy", "full", "arange", "linspace", "eye", "cat", "index_select", "gather",
        "copy_", "index_add", "scatter_add",
    ]

    /// Checks that meta delivered `inputs` in `dtype` and broadcast to `shape`.
    static func require(_ op: String, _ inputs: [Tensor], shape: [Int], dtype: DType?) throws {
        for t in inputs { try require(op, t, shape: shape, dtype: dtype) }
    }

    @inline(__always)
    static func require(_ op: String, _ t: Tensor, shape: [Int], dtype: DType?) throws {
        if t.shape != shape || (dtype != nil && t.dtype != dtype) || !t.device.isCPU {
            throw TorchError(.shapeMismatch, "\(op): internal: input \(t.dtype)\(describe(shape: t.shape)) on \(t.device) was not prepared for the output \(dtype.map(\.description) ?? "")\(describe(shape: shape))")
        }
    }

    /// Turns a C status into an error (-1: the C side has no such op/dtype pair).
    @inline(__always)
    static func check(_ op: String, _ status: Int32, _ dtypes: @autoclosure () -> [DType]) throws {
        if status != 0 {
            throw TorchError(.noKernel, "\(op): the openmp C kernels have no variant for \(dtypes().map(\.description).joined(separator: ", "))")
        }
    }

    // MARK: - Binary

    private static func binary(_ name: String, second: String = "other", alpha: Bool = false,
                               _ op: @escaping @Sendable (KernelCall) throws -> st_binary_op) -> (String, Kernel) {
        let (first, second, alphaName) = (ArgumentName("self"), ArgumentName(second), ArgumentName("alpha"))
        return (name, { call in
            let a = call.arguments.tensor(first), b = call.arguments.tensor(second), out = call.output
            let dtype = a.dtype
            try require(name, a, shape: out.shape, dtype: dtype)
            try require(name, b, shape: out.shape, dtype: dtype)
            let code = Int32(try op(call).rawValue)
            // Contiguous operands and numbers run as one row; other views are coalesced.
            func run(_ body: (UnsafePointer<st_ew_geometry>, UnsafeBufferPointer<UnsafeMutableRawPointer>) -> Int32) -> Int32 {
                StridedLoop.runFlat(out, a, b, body)
                    ?? StridedLoop.run(out.shape, StridedOperand(out), StridedOperand(a), StridedOperand(b), body)
            }
            if dtype.isFloatingPoint {
                let alphaValue = alpha ? call.arguments.double(alphaName) : 1
                let status = run { g, p in st_ew_binary(code, StridedLoop.code(dtype), g, p[0], p[1], p[2], alphaValue) }
                try check(name, status, [dtype])
            } else {
                let alphaValue = alpha ? try integerAlpha(name, call.arguments[alphaName]) : 1
                let status = run { g, p in st_ew_binary_int(code, StridedLoop.code(dtype), g, p[0], p[1], p[2], alphaValue) }
                try checkInteger(name, status, [dtype])
            }
        })
    }

    /// add/sub's alpha (or addcmul's value) for integer tensors: PyTorch rejects a
    /// non-integral one (it would be silently truncated); an integral float such as 2.0 is
    /// accepted.
    static func integerAlpha(_ op: String, _ value: ArgumentValue, name: String = "alpha") throws -> Int64 {
        switch value {
        case .int(let v): return Int64(v)
        case .bool(let v): return v ? 1 : 0
        case .double(let v):
            guard v.isFinite, v.rounded(.towardZero) == v else {
                throw TorchError(.invalidArgument, "\(op): \(name) must be an integer for integer tensors, got \(v)")
            }
            return DType.integerValue(v)
        default: return 1
        }
    }

    /// Turns an integer kernel's status into the reference's errors.
    static func checkInteger(_ op: String, _ status: Int32, _ dtypes: [DType]) throws {
        switch status {
        case ST_EW_INT_DIV_ZERO:
            throw TorchError(.invalidArgument, "\(op): integer division by zero; use float tensors to get inf/nan")
        case ST_EW_INT_NEG_POW:
            throw TorchError(.invalidArgument, "\(op): integers to negative integer powers are not allowed; use a float tensor")
        default:
            try check(op, status, dtypes)
        }
    }

    private static func fixed(_ op: st_binary_op) -> @Sendable (KernelCall) throws -> st_binary_op { { _ in op } }

    static let binaryKernels: [(String, Kernel)] = [
        binary("add", alpha: true, fixed(ST_BIN_ADD)),
        binary("sub", alpha: true, fixed(ST_BIN_SUB)),
        binary("mul", fixed(ST_BIN_MUL)),
        binary("div") { call in
            switch call.arguments.optionalString("rounding_mode") {
            case nil: return ST_BIN_DIV
            case "trunc": return ST_BIN_DIV_TRUNC
            case "floor": return ST_BIN_DIV_FLOOR
            case let mode?: throw TorchError(.invalidArgument, "div: rounding_mode must be nil, \"trunc\" or \"floor\", not \"\(mode)\"")
            }
        },
        binary("pow", second: "exponent", fixed(ST_BIN_POW)),
        binary("maximum", fixed(ST_BIN_MAXIMUM)),
        binary("minimum", fixed(ST_BIN_MINIMUM)),
        // Comparisons write bool; the C side knows from the op.
        binary("eq", fixed(ST_BIN_EQ)),
        binary("ne", fixed(ST_BIN_NE)),
        binary("lt", fixed(ST_BIN_LT)),
        binary("le", fixed(ST_BIN_LE)),
        binary("gt", fixed(ST_BIN_GT)),
        binary("ge", fixed(ST_BIN_GE)),
    ]

    // MARK: - Unary

    /// A unary kernel; `parameters` reads the op's scalar arguments (p0, p1 of the C call:
    /// softplus's beta and threshold, clamp's bounds).
    private static func unary(_ name: String, _ op: @escaping @Sendable (KernelCall) throws -> st_unary_op,
                              parameters: @escaping @Sendable (KernelCall) -> (ArgumentValue, ArgumentValue) = { _ in (.none, .none) }) -> (String, Kernel) {
        let input = ArgumentName("self")
        return (name, { call in
            let x = call.arguments.tensor(input), out = call.output
            let dtype = x.dtype
            try require(name, x, shape: out.shape, dtype: dtype)
            let code = Int32(try op(call).rawValue)
            let (v0, v1) = parameters(call)
            let (o0, o1) = (StridedOperand(out), StridedOperand(x))
            if dtype.isFloatingPoint {
                // A missing bound is an infinite one: clamping to it changes nothing.
                let p0 = scalar(v0) ?? -.infinity, p1 = scalar(v1) ?? .infinity
                let status = StridedLoop.run(out.shape, o0, o1) { g, p in
                    st_ew_unary(code, StridedLoop.code(dtype), g, p[0], p[1], p0, p1)
                }
                try check(name, status, [dtype])
            } else {
                let lo = integerScalar(v0) ?? .min, hi = integerScalar(v1) ?? .max
                let status = StridedLoop.run(out.shape, o0, o1) { g, p in
                    st_ew_unary_int(code, StridedLoop.code(dtype), g, p[0], p[1], lo, hi)
                }
                try check(name, status, [dtype])
            }
        })
    }

    /// A Scalar argument as a Double (nil for None).
    static func scalar(_ value: ArgumentValue) -> Double? {
        switch value {
        case .double(let v): v
        case .int(let v): Double(v)
        case .bool(let v): v ? 1 : 0
        default: nil
        }
    }

    /// A Scalar argument as an exact Int64 (floats by the float-to-int rule; nil for None).
    static func integerScalar(_ value: ArgumentValue) -> Int64? {
        switch value {
        case .double(let v): DType.integerValue(v)
        case .int(let v): Int64(v)
        case .bool(let v): v ? 1 : 0
        default: nil
        }
    }

    private static func plain(_ name: String, _ op: st_unary_op) -> (String, Kernel) { unary(name, { _ in op }) }

    static let unaryKernels: [(String, Kernel)] = [
        plain("neg", ST_UN_NEG), plain("abs", ST_UN_ABS), plain("exp", ST_UN_EXP), plain("log", ST_UN_LOG),
        plain("sqrt", ST_UN_SQRT), plain("rsqrt", ST_UN_RSQRT), plain("sin", ST_UN_SIN), plain("cos", ST_UN_COS),
        plain("tanh", ST_UN_TANH), plain("sigmoid", ST_UN_SIGMOID), plain("relu", ST_UN_RELU),
        plain("silu", ST_UN_SILU), plain("sign", ST_UN_SIGN), plain("floor", ST_UN_FLOOR), plain("ceil", ST_UN_CEIL),
        plain("round", ST_UN_ROUND), plain("reciprocal", ST_UN_RECIPROCAL), plain("log1p", ST_UN_LOG1P),
        plain("expm1", ST_UN_EXPM1), plain("erf", ST_UN_ERF), plain("square", ST_UN_SQUARE),
        unary("gelu", { call in
            switch call.arguments.string("approximate") {
            case "none": return ST_UN_GELU
            case "tanh": return ST_UN_GELU_TANH
            case let mode: throw TorchError(.invalidArgument, "gelu: approximate must be \"none\" or \"tanh\", not \"\(mode)\"")
            }
        }),
        unary("softplus", { _ in ST_UN_SOFTPLUS },
              parameters: { call in (call.arguments["beta"], call.arguments["threshold"]) }),
        unary("clamp", { _ in ST_UN_CLAMP }, parameters: { call in (call.arguments["min"], call.arguments["max"]) }),
    ]

    // MARK: - where

    static let otherKernels: [(String, Kernel)] = [
        ("where", { call in
            let condition = call.arguments.tensor("condition")
            let a = call.arguments.tensor("self"), b = call.arguments.tensor("other"), out = call.output
            let dtype = a.dtype
            try require("where", [a, b], shape: out.shape, dtype: dtype)
            try require("where", [condition], shape: out.shape, dtype: .bool)
            let status = StridedLoop.run(out.shape, [StridedOperand(out), StridedOperand(condition),
                                                     StridedOperand(a), StridedOperand(b)]) { g, p in
                st_ew_where(StridedLoop.code(dtype), g, p[0], p[1].assumingMemoryBound(to: UInt8.self), p[2], p[3])
            }
            try check("where", status, [dtype])
        }),
    ]
}
