import SwiftTorchCore

// The Swift face of the elementwise operators: methods, operators with tensors or Swift
// numbers on either side, and free functions where PyTorch has them.

extension Tensor {
    public func add(_ other: Tensor, alpha: Double = 1) throws -> Tensor {
        try dispatch(Op.add, slots: [.tensor(self), .tensor(other), .double(alpha)])
    }
    public func sub(_ other: Tensor, alpha: Double = 1) throws -> Tensor {
        try dispatch(Op.sub, slots: [.tensor(self), .tensor(other), .double(alpha)])
    }
    public func mul(_ other: Tensor) throws -> Tensor { try dispatch(Op.mul, [.tensor(self), .tensor(other)]) }
    /// True division, or rounded with `roundingMode` `"trunc"` or `"floor"`.
    public func div(_ other: Tensor, roundingMode: String? = nil) throws -> Tensor {
        try dispatch(Op.div, slots: [.tensor(self), .tensor(other), roundingMode.map(ArgumentValue.string) ?? .none])
    }
    public func pow(_ exponent: Tensor) throws -> Tensor { try dispatch(Op.pow, [.tensor(self), .tensor(exponent)]) }
    public func pow(_ exponent: Double) throws -> Tensor { try dispatch(Op.pow, [.tensor(self), .double(exponent)]) }
    public func maximum(_ other: Tensor) throws -> Tensor { try dispatch(Op.maximum, [.tensor(self), .tensor(other)]) }
    public func minimum(_ other: Tensor) throws -> Tensor { try dispatch(Op.minimum, [.tensor(self), .tensor(other)]) }

    public func eq(_ other: Tensor) throws -> Tensor { try dispatch(Op.eq, [.tensor(self), .tensor(other)]) }
    public func ne(_ other: Tensor) throws -> Tensor { try dispatch(Op.ne, [.tensor(self), .tensor(other)]) }
    public func lt(_ other: Tensor) throws -> Tensor { try dispatch(Op.lt, [.tensor(self), .tensor(other)]) }
    public func le(_ other: Tensor) throws -> Tensor { try dispatch(Op.le, [.tensor(self), .tensor(other)]) }
    public func gt(_ other: Tensor) throws -> Tensor { try dispatch(Op.gt, [.tensor(self), .tensor(other)]) }
    public func ge(_ other: Tensor) throws -> Tensor { try dispatch(Op.ge, [.tensor(self), .tensor(other)]) }
    public func eq(_ other: Double) throws -> Tensor { try dispatch(Op.eq, [.tensor(self), .double(other)]) }
    public func ne(_ other: Double) throws -> Tensor { try dispatch(Op.ne, [.tensor(self), .double(other)]) }
    public func lt(_ other: Double) throws -> Tensor { try dispatch(Op.lt, [.tensor(self), .double(other)]) }
    public func le(_ other: Double) throws -> Tensor { try dispatch(Op.le, [.tensor(self), .double(other)]) }
    public func gt(_ other: Double) throws -> Tensor { try dispatch(Op.gt, [.tensor(self), .double(other)]) }
    public func ge(_ other: Double) throws -> Tensor { try dispatch(Op.ge, [.tensor(self), .double(other)]) }

    private func unary(_ op: OperatorHandle) throws -> Tensor { try dispatch(op, [.tensor(self)]) }
    public func neg() throws -> Tensor { try unary(Op.neg) }
    public func abs() throws -> Tensor { try unary(Op.abs) }
    public func exp() throws -> Tensor { try unary(Op.exp) }
    public func log() throws -> Tensor { try unary(Op.log) }
    public func sqrt() throws -> Tensor { try unary(Op.sqrt) }
    public func rsqrt() throws -> Tensor { try unary(Op.rsqrt) }
    public func sin() throws -> Tensor { try unary(Op.sin) }
    public func cos() throws -> Tensor { try unary(Op.cos) }
    public func tanh() throws -> Tensor { try unary(Op.tanh) }
    public func sigmoid() throws -> Tensor { try unary(Op.sigmoid) }
    public func relu() throws -> Tensor { try unary(Op.relu) }
    public func silu() throws -> Tensor { try unary(Op.silu) }
    public func sign() throws -> Tensor { try unary(Op.sign) }
    public func floor() throws -> Tensor { try unary(Op.floor) }
    public func ceil() throws -> Tensor { try unary(Op.ceil) }
    /// Rounds half to even, as PyTorch does.
    public func round() throws -> Tensor { try unary(Op.round) }
    public func reciprocal() throws -> Tensor { try unary(Op.reciprocal) }
    public func log1p() throws -> Tensor { try unary(Op.log1p) }
    public func expm1() throws -> Tensor { try unary(Op.expm1) }
    public func erf() throws -> Tensor { try unary(Op.erf) }
    public func square() throws -> Tensor { try unary(Op.square) }
    /// GELU; `approximate: "tanh"` uses the tanh approximation.
    public func gelu(approximate: String = "none") throws -> Tensor {
        try dispatch(Op.gelu, [.tensor(self)], [("approximate", .string(approximate))])
    }
    public func softplus(beta: Double = 1, threshold: Double = 20) throws -> Tensor {
        try dispatch(Op.softplus, [.tensor(self), .double(beta), .double(threshold)])
    }
    /// Limits every element to `[min, max]`; either bound may be omitted.
    public func clamp(min: Double? = nil, max: Double? = nil) throws -> Tensor {
        try dispatch(Op.clamp, [.tensor(self), min.map(ArgumentValue.double) ?? .none, max.map(ArgumentValue.double) ?? .none])
    }

    // MARK: Operators

    public static func + (a: Tensor, b: Tensor) throws -> Tensor { try a.add(b) }
    public static func + (a: Tensor, b: Double) throws -> Tensor { try dispatch(Op.add, slots: [.tensor(a), .double(b), .double(1)]) }
    public static func + (a: Double, b: Tensor) throws -> Tensor { try dispatch(Op.add, slots: [.double(a), .tensor(b), .double(1)]) }
    public static func + (a: Tensor, b: Int) throws -> Tensor { try dispatch(Op.add, slots: [.tensor(a), .int(b), .double(1)]) }
    public static func + (a: Int, b: Tensor) throws -> Tensor { try dispatch(Op.add, slots: [.int(a), .tensor(b), .double(1)]) }

    public static func - (a: Tensor, b: Tensor) throws -> Tensor { try a.sub(b) }
    public static func - (a: Tensor, b: Double) throws -> Tensor { try dispatch(Op.sub, slots: [.tensor(a), .double(b), .double(1)]) }
    public static func - (a: Double, b: Tensor) throws -> Tensor { try dispatch(Op.sub, slots: [.double(a), .tensor(b), .double(1)]) }
    public static func - (a: Tensor, b: Int) throws -> Tensor { try dispatch(Op.sub, slots: [.tensor(a), .int(b), .double(1)]) }
    public static func - (a: Int, b: Tensor) throws -> Tensor { try dispatch(Op.sub, slots: [.int(a), .tensor(b), .double(1)]) }
    public static prefix func - (a: Tensor) throws -> Tensor { try a.neg() }

    public static func * (a: Tensor, b: Tensor) throws -> Tensor { try a.mul(b) }
    public static func * (a: Tensor, b: Double) throws -> Tensor { try dispatch(Op.mul, [.tensor(a), .double(b)]) }
    public static func * (a: Double, b: Tensor) throws -> Tensor { try dispatch(Op.mul, [.double(a), .tensor(b)]) }
    public static func * (a: Tensor, b: Int) throws -> Tensor { try dispatch(Op.mul, [.tensor(a), .int(b)]) }
    public static func * (a: Int, b: Tensor) throws -> Tensor { try dispatch(Op.mul, [.int(a), .tensor(b)]) }

    public static func / (a: Tensor, b: Tensor) throws -> Tensor { try a.div(b) }
    public static func / (a: Tensor, b: Double) throws -> Tensor { try dispatch(Op.div, slots: [.tensor(a), .double(b), .none]) }
    public static func / (a: Double, b: Tensor) throws -> Tensor { try dispatch(Op.div, slots: [.double(a), .tensor(b), .none]) }
    public static func / (a: Tensor, b: Int) throws -> Tensor { try dispatch(Op.div, slots: [.tensor(a), .int(b), .none]) }
    public static func / (a: Int, b: Tensor) throws -> Tensor { try dispatch(Op.div, slots: [.int(a), .tensor(b), .none]) }
}

/// Elementwise choice: `input` where `condition` is true, else `other`.
public func `where`(_ condition: Tensor, _ input: Tensor, _ other: Tensor) throws -> Tensor {
    try dispatch(Op.where, [.tensor(condition), .tensor(input), .tensor(other)])
}

/// Elementwise maximum, propagating NaN.
public func maximum(_ a: Tensor, _ b: Tensor) throws -> Tensor { try a.maximum(b) }
/// Elementwise minimum, propagating NaN.
public func minimum(_ a: Tensor, _ b: Tensor) throws -> Tensor { try a.minimum(b) }
