import SwiftTorchCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// Elementwise reference kernels. Meta has already promoted the inputs to one compute dtype
// and broadcast them to the output's shape, so each kernel only computes: floats in Double,
// integers and bools in Int64 with wrapping arithmetic (see ElementwiseSupport.swift).

private typealias E = ElementwiseSupport

let elementwiseKernels: [(String, Kernel)] = binaryKernels + comparisonKernels + unaryKernels + [
    ("where", whereKernel), ("gelu", geluKernel), ("softplus", softplusKernel), ("clamp", clampKernel),
]

// MARK: - Arithmetic

private let binaryKernels: [(String, Kernel)] = [
    // On bool tensors (values 0/1) the integer results are stored as `!= 0`, which makes
    // add a logical or and mul a logical and, as in PyTorch.
    ("add", { call in
        let a = call.arguments.tensor("self")
        let alpha = try E.alphaScalar(call, "add", integerTensors: !a.dtype.isFloatingPoint)
        try E.applyBinary("add", a, call.arguments.tensor("other"), call.output,
                          float: { $0 + alpha.double * $1 }, int: { $0 &+ alpha.int &* $1 })
    }),
    ("sub", { call in
        let a = call.arguments.tensor("self")
        let alpha = try E.alphaScalar(call, "sub", integerTensors: !a.dtype.isFloatingPoint)
        try E.applyBinary("sub", a, call.arguments.tensor("other"), call.output,
                          float: { $0 - alpha.double * $1 }, int: { $0 &- alpha.int &* $1 })
    }),
    ("mul", E.binaryKernel("mul", float: { $0 * $1 }, int: { $0 &* $1 })),
    ("div", { call in
        let mode = call.arguments.optionalString("rounding_mode")
        let float: (Double, Double) -> Double
        switch mode {
        case "trunc": float = { ($0 / $1).rounded(.towardZero) }
        case "floor": float = E.floorDivide
        default: float = { $0 / $1 }
        }
        // Meta sends integers here only with a rounding mode (true division computes in
        // float); without one, truncation is the only integer answer.
        try E.applyBinary("div", call.arguments.tensor("self"), call.arguments.tensor("other"), call.output,
                          float: float, int: { try E.integerDivide($0, $1, floor: mode == "floor") })
    }),
    ("pow", E.binaryKernel("pow", second: "exponent", float: { pow($0, $1) }, int: E.integerPower)),
    ("maximum", E.binaryKernel("maximum", float: E.nanMaximum, int: { Swift.max($0, $1) })),
    ("minimum", E.binaryKernel("minimum", float: E.nanMinimum, int: { Swift.min($0, $1) })),
]

// MARK: - Comparisons (bool output; IEEE rules, so any comparison with NaN is false but ne)

private func comparison(_ op: String, _ test: @escaping @Sendable (Double, Double) -> Bool,
                        _ testInt: @escaping @Sendable (Int64, Int64) -> Bool) -> (String, Kernel) {
    (op, E.binaryKernel(op, float: { test($0, $1) ? 1 : 0 }, int: { testInt($0, $1) ? 1 : 0 }))
}

private let comparisonKernels: [(String, Kernel)] = [
    comparison("eq", { $0 == $1 }, { $0 == $1 }),
    comparison("ne", { $0 != $1 }, { $0 != $1 }),
    comparison("lt", { $0 < $1 }, { $0 < $1 }),
    comparison("le", { $0 <= $1 }, { $0 <= $1 }),
    comparison("gt", { $0 > $1 }, { $0 > $1 }),
    comparison("ge", { $0 >= $1 }, { $0 >= $1 }),
]

// MARK: - Unary

/// Rounding and similar ops are the identity on integers.
private let identity: @Sendable (Int64) -> Int64 = { $0 }

private let unaryKernels: [(String, Kernel)] = [
    ("neg", E.unaryKernel("neg", float: { -$0 }, int: { 0 &- $0 })),
    ("abs", E.unaryKernel("abs", float: { Swift.abs($0) }, int: { $0 < 0 ? 0 &- $0 : $0 })),
    ("exp", E.unaryKernel("exp", float: { exp($0) })),
    ("log", E.unaryKernel("log", float: { log($0) })),
    ("sqrt", E.unaryKernel("sqrt", float: { $0.squareRoot() })),
    // 1 / sqrt(-0.0) is -inf, as PyTorch gives.
    ("rsqrt", E.unaryKernel("rsqrt", float: { 1 / $0.squareRoot() })),
    ("sin", E.unaryKernel("sin", float: { sin($0) })),
    ("cos", E.unaryKernel("cos", float: { cos($0) })),
    ("tanh", E.unaryKernel("tanh", float: { tanh($0) })),
    ("sigmoid", E.unaryKernel("sigmoid", float: E.sigmoid)),
    // `x < 0 ? 0 : x` keeps NaN (and -0.0), as PyTorch's relu does.
    ("relu", E.unaryKernel("relu", float: { $0 < 0 ? 0 : $0 }, int: { $0 < 0 ? 0 : $0 })),
    // silu(-inf) = -inf * 0 = NaN, matching PyTorch.
    ("silu", E.unaryKernel("silu", float: { $0 * E.sigmoid($0) })),
    // PyTorch: sign(NaN) = 0 and sign(-0.0) = 0 (checked against the conformance cases).
    ("sign", E.unaryKernel("sign", float: { $0 > 0 ? 1 : ($0 < 0 ? -1 : 0) },
                          int: { $0 > 0 ? 1 : ($0 < 0 ? -1 : 0) })),
    ("floor", E.unaryKernel("floor", float: { $0.rounded(.down) }, int: identity)),
    ("ceil", E.unaryKernel("ceil", float: { $0.rounded(.up) }, int: identity)),
    ("round", E.unaryKernel("round", float: { $0.rounded(.toNearestOrEven) }, int: identity)),
    ("reciprocal", E.unaryKernel("reciprocal", float: { 1 / $0 })),
    ("log1p", E.unaryKernel("log1p", float: { log1p($0) })),
    ("expm1", E.unaryKernel("expm1", float: { expm1($0) })),
    ("erf", E.unaryKernel("erf", float: { erf($0) })),
    ("square", E.unaryKernel("square", float: { $0 * $0 }, int: { $0 &* $0 })),
]

// MARK: - Operators with extra arguments

private let whereKernel: Kernel = { call in
    // condition, self and other all have the output's shape (meta broadcast all three).
    let condition = call.arguments.tensor("condition").int64Values()
    let a = call.arguments.tensor("self"), b = call.arguments.tensor("other"), out = call.output
    guard condition.count == out.count, a.count == out.count, b.count == out.count else {
        throw TorchError(.shapeMismatch, "where: internal: inputs were not broadcast to the output \(describe(shape: out.shape))")
    }
    if a.dtype.isFloatingPoint {
        let x = a.doubleValues(), y = b.doubleValues()
        out.setDoubleValues(condition.indices.map { condition[$0] != 0 ? x[$0] : y[$0] })
    } else {
        let x = a.int64Values(), y = b.int64Values()
        out.setInt64Values(condition.indices.map { condition[$0] != 0 ? x[$0] : y[$0] })
    }
}

private let geluKernel: Kernel = { call in
    let useTanh = call.arguments.string("approximate") == "tanh"
    try E.applyUnary("gelu", call.arguments.tensor("self"), call.output,
                     float: { E.gelu($0, tanhApproximation: useTanh) }, int: nil)
}

private let softplusKernel: Kernel = { call in
    let beta = call.arguments.double("beta"), threshold = call.arguments.double("threshold")
    // Above the threshold softplus is x to working precision (and exp would overflow).
    try E.applyUnary("softplus", call.arguments.tensor("self"), call.output,
                     float: { $0 * beta > threshold ? $0 : log1p(exp($0 * beta)) / beta }, int: nil)
}

/// `min(max(x, lo), hi)`: when lo > hi every element becomes hi, as in PyTorch; a NaN
/// element or bound gives NaN.
private let clampKernel: Kernel = { call in
    let minValue = call.arguments["min"], maxValue = call.arguments["max"]
    let lo = E.doubleScalar(minValue), hi = E.doubleScalar(maxValue)
    let loInt = E.int64Scalar(minValue), hiInt = E.int64Scalar(maxValue)
    try E.applyUnary("clamp", call.arguments.tensor("self"), call.output, float: { x in
        var r = x
        if let lo { r = E.nanMaximum(r, lo) }
        if let hi { r = E.nanMinimum(r, hi) }
        return r
    }, int: { x in
        // Integer tensors meet only integer bounds here (a float bound promotes to float).
        var r = x
        if let loInt { r = Swift.max(r, loInt) }
        if let hiInt { r = Swift.min(r, hiInt) }
        return r
    })
}
