import SwiftTorchCore

/// The comparison rules of the conformance format, shared by the runner, the cross-backend
/// check (`SWIFTTORCH_CHECK`) and the equivalence tests.
public struct Tolerance: Sendable, Equatable {
    /// The relative tolerance.
    public var rtol: Double
    /// The absolute tolerance.
    public var atol: Double

    /// Agreement within `atol + rtol * |expected|`.
    public init(rtol: Double, atol: Double) {
        self.rtol = rtol
        self.atol = atol
    }

    /// The format's defaults: float32 `rtol 1.3e-6, atol 1e-5`; float64 `1e-7, 1e-7`;
    /// integers and bool exact.
    public static func `default`(for dtype: DType) -> Tolerance {
        switch dtype {
        case .float32: Tolerance(rtol: 1.3e-6, atol: 1e-5)
        case .float64: Tolerance(rtol: 1e-7, atol: 1e-7)
        default: Tolerance(rtol: 0, atol: 0)
        }
    }
}

/// The outcome of comparing one tensor with its expected value.
public struct Mismatch: Error, CustomStringConvertible, Sendable {
    /// What differs, with the dtypes, shapes or the worst element.
    public let message: String
    /// Largest absolute difference among finite pairs (0 for shape or dtype mismatches).
    public let maxDifference: Double
    /// The message.
    public var description: String { message }
}

/// Compares a tensor with its expected value under the format's tolerances.
public enum TensorComparison {
    /// Compares `actual` with `expected`: shapes and dtypes exactly; integers and bool
    /// exactly; floats within `|a - e| <= atol + rtol * |e|`, NaN only with NaN, infinities
    /// exactly (sign included). Returns nil when they agree.
    public static func compare(_ actual: Tensor, _ expected: Tensor, tolerance: Tolerance? = nil) throws -> Mismatch? {
        if actual.shape != expected.shape || actual.dtype != expected.dtype {
            return Mismatch(message: "expected \(expected.dtype)\(describe(shape: expected.shape)), got \(actual.dtype)\(describe(shape: actual.shape))", maxDifference: 0)
        }
        let a = try actual.cpu(), e = try expected.cpu()
        if !a.dtype.isFloatingPoint {
            let av = a.int64Values(), ev = e.int64Values()
            if let i = av.indices.first(where: { av[$0] != ev[$0] }) {
                let diff = Double(av[i]) - Double(ev[i])
                return Mismatch(message: "element \(i): expected \(ev[i]), got \(av[i])", maxDifference: Swift.abs(diff))
            }
            return nil
        }
        let tol = tolerance ?? .default(for: a.dtype)
        let av = a.doubleValues(), ev = e.doubleValues()
        var worst: (index: Int, excess: Double)? = nil
        var maxDiff = 0.0
        for i in av.indices {
            let x = av[i], y = ev[i]
            if y.isNaN || x.isNaN {
                if x.isNaN != y.isNaN { worst = worst ?? (i, .infinity) }
                continue
            }
            if y.isInfinite || x.isInfinite {
                if x != y { worst = worst ?? (i, .infinity) }
                continue
            }
            let diff = Swift.abs(x - y)
            maxDiff = Swift.max(maxDiff, diff)
            let excess = diff - (tol.atol + tol.rtol * Swift.abs(y))
            if excess > 0, excess > (worst?.excess ?? 0) || worst == nil { worst = (i, excess) }
        }
        guard let worst else { return nil }
        return Mismatch(message: "element \(worst.index): expected \(ev[worst.index]), got \(av[worst.index]) (max |diff| \(maxDiff), rtol \(tol.rtol), atol \(tol.atol))",
                        maxDifference: maxDiff)
    }
}
