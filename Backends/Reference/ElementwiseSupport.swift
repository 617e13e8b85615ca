import SwiftTorchCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// Shared helpers for the reference kernels: reading Scalar arguments exactly, applying a
// function to every element in the right number domain, and the few formulas whose PyTorch
// semantics are not a one-liner.
//
// Number domains: floating-point tensors compute in `Double` (rounded once on store);
// integer and bool tensors compute in `Int64` with wrapping arithmetic, so int64 values are
// never rounded through `Double` and nothing traps. Storing an `Int64` into an int32 output
// truncates, which equals int32 wrapping arithmetic for +, -, * and division.

/// The helpers live in a namespace so that they cannot collide with helpers that other
/// kernel files of this module declare at file scope.
enum ElementwiseSupport {
    // MARK: - Scalar arguments

    /// A `Scalar` argument as an exact `Int64`: ints as given, bools as 0/1, floats by the
    /// float-to-int rule. `nil` for `None`.
    static func int64Scalar(_ value: ArgumentValue) -> Int64? {
        switch value {
        case .int(let v): return Int64(v)
        case .bool(let v): return v ? 1 : 0
        case .double(let v): return DType.integerValue(v)
        default: return nil
        }
    }

    /// A `Scalar` argument as a `Double`. `nil` for `None`.
    static func doubleScalar(_ value: ArgumentValue) -> Double? {
        switch value {
        case .int(let v): return Double(v)
        case .bool(let v): return v ? 1 : 0
        case .double(let v): return v
        default: return nil
        }
    }

    /// The `alpha` of add/sub (or addcmul's `value`) as both domains. PyTorch rejects a
    /// non-integral alpha for integer tensors (it would be silently truncated); an integral
    /// float such as `2.0` is accepted.
    static func alphaScalar(_ call: KernelCall, _ op: String, integerTensors: Bool, name: String = "alpha") throws -> (double: Double, int: Int64) {
        let value = call.arguments[name]
        let d = doubleScalar(value) ?? 1
        if integerTensors, case .double(let v) = value, v.rounded(.towardZero) != v || !v.isFinite {
            throw TorchError(.invalidArgument, "\(op): \(name) must be an integer for integer tensors, got \(v)")
        }
        return (d, int64Scalar(value) ?? 1)
    }

    // MARK: - Applying functions elementwise

    /// Fills `out` with `f` of each element of `x` (same shape; meta guarantees it). Floating
    /// inputs use `float`, integer and bool inputs `int`.
    static func applyUnary(_ op: String, _ x: Tensor, _ out: Tensor,
                           float: (Double) throws -> Double, int: ((Int64) throws -> Int64)?) throws {
        guard x.count == out.count else {
            throw TorchError(.shapeMismatch, "\(op): internal: input \(describe(shape: x.shape)) does not match the output \(describe(shape: out.shape))")
        }
        if x.dtype.isFloatingPoint {
            out.setDoubleValues(try x.doubleValues().map(float))
        } else if let int {
            out.setInt64Values(try x.int64Values().map(int))
        } else {
            throw TorchError(.dtypeMismatch, "\(op): the reference backend has no \(x.dtype) kernel (meta should have cast the input)")
        }
    }

    /// Fills `out` with `f(a[i], b[i])`. `a` and `b` share one dtype and the output's shape
    /// (meta promoted and broadcast them); the output may be bool (comparisons).
    static func applyBinary(_ op: String, _ a: Tensor, _ b: Tensor, _ out: Tensor,
                            float: (Double, Double) throws -> Double, int: (Int64, Int64) throws -> Int64) throws {
        guard a.count == out.count, b.count == out.count else {
            throw TorchError(.shapeMismatch, "\(op): internal: inputs \(describe(shape: a.shape)) and \(describe(shape: b.shape)) were not broadcast to the output \(describe(shape: out.shape))")
        }
        if a.dtype.isFloatingPoint {
            let x = a.doubleValues(), y = b.doubleValues()
            var r = [Double](repeating: 0, count: x.count)
            for i in r.indices { r[i] = try float(x[i], y[i]) }
            out.setDoubleValues(r)
        } else {
            let x = a.int64Values(), y = b.int64Values()
            var r = [Int64](repeating: 0, count: x.count)
            for i in r.indices { r[i] = try int(x[i], y[i]) }
            out.setInt64Values(r)
        }
    }

    /// A kernel for a unary operator on `self`.
    static func unaryKernel(_ op: String, float: @escaping @Sendable (Double) -> Double,
                            int: (@Sendable (Int64) -> Int64)? = nil) -> Kernel {
        { call in try applyUnary(op, call.arguments.tensor("self"), call.output, float: float, int: int) }
    }

    /// A kernel for a binary operator on `self` and `other` (or another second argument).
    static func binaryKernel(_ op: String, second: String = "other",
                             float: @escaping @Sendable (Double, Double) throws -> Double,
                             int: @escaping @Sendable (Int64, Int64) throws -> Int64) -> Kernel {
        { call in
            try applyBinary(op, call.arguments.tensor("self"), call.arguments.tensor(second), call.output,
                            float: float, int: int)
        }
    }

    // MARK: - Formulas

    /// 1 / (1 + e^-x), written so that `exp` only ever sees a non-positive argument: for x < 0
    /// it is e^x / (1 + e^x), which keeps tiny results (sigmoid(-100) = 3.7e-44) and NaN.
    static func sigmoid(_ x: Double) -> Double {
        if x >= 0 { return 1 / (1 + exp(-x)) }
        let e = exp(x)
        return e / (1 + e)
    }

    /// PyTorch's `div_floor_floating`: floor(a / b) computed through fmod so that results that
    /// are exactly integral are not pushed down by rounding of a / b.
    static func floorDivide(_ a: Double, _ b: Double) -> Double {
        if b == 0 { return a / b }
        let mod = fmod(a, b)
        var div = (a - mod) / b
        if mod != 0 && (b < 0) != (mod < 0) { div -= 1 }
        if div == 0 { return copysign(0, a / b) }
        var floored = div.rounded(.down)
        if div - floored > 0.5 { floored += 1 }
        return floored
    }

    /// Integer division, truncating or flooring. Division by zero throws (it would trap, and
    /// PyTorch raises too); `Int64.min / -1` wraps to `Int64.min` as in C.
    static func integerDivide(_ a: Int64, _ b: Int64, floor: Bool) throws -> Int64 {
        if b == 0 { throw TorchError(.invalidArgument, "div: integer division by zero (\(a) / 0); use float tensors to get inf/nan") }
        let q = a.dividedReportingOverflow(by: b).partialValue
        let r = a.remainderReportingOverflow(dividingBy: b).partialValue
        // Truncation rounds toward zero; flooring differs when the signs differ and it is inexact.
        if floor && r != 0 && (r < 0) != (b < 0) { return q &- 1 }
        return q
    }

    /// `base ** exponent` for integers by repeated squaring, wrapping on overflow. A negative
    /// exponent has no integer result and throws, as PyTorch does.
    static func integerPower(_ base: Int64, _ exponent: Int64) throws -> Int64 {
        if exponent < 0 {
            throw TorchError(.invalidArgument, "pow: integers to negative integer powers are not allowed (\(base) ** \(exponent)); use a float tensor")
        }
        var result: Int64 = 1, b = base, e = exponent
        while e > 0 {
            if e & 1 == 1 { result = result &* b }
            b = b &* b
            e >>= 1
        }
        return result
    }

    /// max/min that return NaN if either operand is NaN (Swift's `max` would not).
    static func nanMaximum(_ a: Double, _ b: Double) -> Double {
        if a.isNaN || b.isNaN { return .nan }
        return a > b ? a : b
    }

    static func nanMinimum(_ a: Double, _ b: Double) -> Double {
        if a.isNaN || b.isNaN { return .nan }
        return a < b ? a : b
    }

    /// PyTorch's lerp, from the nearer end so that weight 1 gives `end` exactly:
    /// `start + weight * (end - start)` for |weight| < 0.5, else `end - (end - start) * (1 - weight)`.
    static func lerp(_ start: Double, _ end: Double, _ weight: Double) -> Double {
        Swift.abs(weight) < 0.5 ? start + weight * (end - start) : end - (end - start) * (1 - weight)
    }

    /// GELU, exact (`"none"`) or with PyTorch's tanh approximation.
    static func gelu(_ x: Double, tanhApproximation: Bool) -> Double {
        if tanhApproximation {
            let k = (2 / Double.pi).squareRoot()
            return 0.5 * x * (1 + tanh(k * (x + 0.044715 * x * x * x)))
        }
        return 0.5 * x * (1 + erf(x / 2.0.squareRoot()))
    }
}
