import SwiftTorchCore

// The Swift face of the elementwise operators: methods, operators with tensors or Swift
// numbers on either side, and free functions where PyTorch has them.

extension Tensor {
    /// `self + alpha * other`, broadcasting, as `torch.add`.
    public func add(_ other: Tensor, alpha: Double = 1) throws -> Tensor {
        try dispatch(Op.add, slots: [.tensor(self), .tensor(other), .double(alpha)])
    }
    /// `self - alpha * other`, broadcasting, as `torch.sub`.
    public func sub(_ other: Tensor, alpha: Double = 1) throws -> Tensor {
        try dispatch(Op.sub, slots: [.tensor(self), .tensor(other), .double(alpha)])
    }
    /// Elementwise product, broadcasting, as `torch.mul`.
    public func mul(_ other: Tensor) throws -> Tensor { try dispatch(Op.mul, [.tensor(self), .tensor(other)]) }
    /// True division, or rounded with `roundingMode` `"trunc"` or `"floor"`.
    public func div(_ other: Tensor, roundingMode: String? = nil) throws -> Tensor {
        try dispatch(Op.div, slots: [.tensor(self), .tensor(other), roundingMode.map(ArgumentValue.string) ?? .none])
    }
    /// `self` raised to `exponent` elementwise, broadcasting, as `torch.pow`.
    public func pow(_ exponent: Tensor) throws -> Tensor { try dispatch(Op.pow, [.tensor(self), .tensor(exponent)]) }
    /// Every element raised to the number `exponent`, as `x ** 2.0` in PyTorch.
    public func pow(_ exponent: Double) throws -> Tensor { try dispatch(Op.pow, [.tensor(self), .double(exponent)]) }
    /// Elementwise maximum, propagating NaN, as `torch.maximum`.
    public func maximum(_ other: Tensor) throws -> Tensor { try dispatch(Op.maximum, [.tensor(self), .tensor(other)]) }
    /// Elementwise minimum, propagating NaN, as `torch.minimum`.
    public func minimum(_ other: Tensor) throws -> Tensor { try dispatch(Op.minimum, [.tensor(self), .tensor(other)]) }

    /// Elementwise `==` as a bool tensor, as `torch.eq`; Swift's `==` keeps its meaning, so the
    /// operator is `.==`.
    public func eq(_ other: Tensor) throws -> Tensor { try dispatch(Op.eq, [.tensor(self), .tensor(other)]) }
    /// Elementwise `!=` as a bool tensor, as `torch.ne` (operator `.!=`).
    public func ne(_ other: Tensor) throws -> Tensor { try dispatch(Op.ne, [.tensor(self), .tensor(other)]) }
    /// Elementwise `<` as a bool tensor, as `torch.lt` (operator `.<`).
    public func lt(_ other: Tensor) throws -> Tensor { try dispatch(Op.lt, [.tensor(self), .tensor(other)]) }
    /// Elementwise `<=` as a bool tensor, as `torch.le` (operator `.<=`).
    public func le(_ other: Tensor) throws -> Tensor { try dispatch(Op.le, [.tensor(self), .tensor(other)]) }
    /// Elementwise `>` as a bool tensor, as `torch.gt` (operator `.>`).
    public func gt(_ other: Tensor) throws -> Tensor { try dispatch(Op.gt, [.tensor(self), .tensor(other)]) }
    /// Elementwise `>=` as a bool tensor, as `torch.ge` (operator `.>=`).
    public func ge(_ other: Tensor) throws -> Tensor { try dispatch(Op.ge, [.tensor(self), .tensor(other)]) }
    /// Whether each element equals the number `other`, as a bool tensor.
    public func eq(_ other: Double) throws -> Tensor { try dispatch(Op.eq, [.tensor(self), .double(other)]) }
    /// Whether each element differs from the number `other`, as a bool tensor.
    public func ne(_ other: Double) throws -> Tensor { try dispatch(Op.ne, [.tensor(self), .double(other)]) }
    /// Whether each element is less than the number `other`, as a bool tensor.
    public func lt(_ other: Double) throws -> Tensor { try dispatch(Op.lt, [.tensor(self), .double(other)]) }
    /// Whether each element is at most the number `other`, as a bool tensor.
    public func le(_ other: Double) throws -> Tensor { try dispatch(Op.le, [.tensor(self), .double(other)]) }
    /// Whether each element is greater than the number `other`, as a bool tensor.
    public func gt(_ other: Double) throws -> Tensor { try dispatch(Op.gt, [.tensor(self), .double(other)]) }
    /// Whether each element is at least the number `other`, as a bool tensor.
    public func ge(_ other: Double) throws -> Tensor { try dispatch(Op.ge, [.tensor(self), .double(other)]) }

    private func unary(_ op: OperatorHandle) throws -> Tensor { try dispatch(op, [.tensor(self)]) }
    /// `-x` elementwise, as `torch.neg`.
    public func neg() throws -> Tensor { try unary(Op.neg) }
    /// Absolute value elementwise, as `torch.abs`.
    public func abs() throws -> Tensor { try unary(Op.abs) }
    /// `e^x` elementwise, as `torch.exp`; integers give the default float type.
    public func exp() throws -> Tensor { try unary(Op.exp) }
    /// Natural logarithm elementwise, as `torch.log`.
    public func log() throws -> Tensor { try unary(Op.log) }
    /// Square root elementwise, as `torch.sqrt`.
    public func sqrt() throws -> Tensor { try unary(Op.sqrt) }
    /// `1 / sqrt(x)` elementwise, as `torch.rsqrt`.
    public func rsqrt() throws -> Tensor { try unary(Op.rsqrt) }
    /// Sine elementwise, as `torch.sin`.
    public func sin() throws -> Tensor { try unary(Op.sin) }
    /// Cosine elementwise, as `torch.cos`.
    public func cos() throws -> Tensor { try unary(Op.cos) }
    /// Hyperbolic tangent elementwise, as `torch.tanh`.
    public func tanh() throws -> Tensor { try unary(Op.tanh) }
    /// `1 / (1 + e^-x)` elementwise, as `torch.sigmoid`.
    public func sigmoid() throws -> Tensor { try unary(Op.sigmoid) }
    /// `max(x, 0)` elementwise, keeping the dtype and NaN, as `torch.relu`.
    public func relu() throws -> Tensor { try unary(Op.relu) }
    /// `x * sigmoid(x)` elementwise, as `torch.nn.functional.silu`.
    public func silu() throws -> Tensor { try unary(Op.silu) }
    /// -1, 0 or 1 by the sign of each element, as `torch.sign`.
    public func sign() throws -> Tensor { try unary(Op.sign) }
    /// Rounds down elementwise, as `torch.floor`.
    public func floor() throws -> Tensor { try unary(Op.floor) }
    /// Rounds up elementwise, as `torch.ceil`.
    public func ceil() throws -> Tensor { try unary(Op.ceil) }
    /// Rounds half to even, as PyTorch does.
    public func round() throws -> Tensor { try unary(Op.round) }
    /// `1 / x` elementwise, as `torch.reciprocal`.
    public func reciprocal() throws -> Tensor { try unary(Op.reciprocal) }
    /// `log(1 + x)` elementwise, accurate for small `x`, as `torch.log1p`.
    public func log1p() throws -> Tensor { try unary(Op.log1p) }
    /// `e^x - 1` elementwise, accurate for small `x`, as `torch.expm1`.
    public func expm1() throws -> Tensor { try unary(Op.expm1) }
    /// The error function elementwise, as `torch.erf`.
    public func erf() throws -> Tensor { try unary(Op.erf) }
    /// `x * x` elementwise, as `torch.square`.
    public func square() throws -> Tensor { try unary(Op.square) }
    /// GELU; `approximate: "tanh"` uses the tanh approximation.
    public func gelu(approximate: String = "none") throws -> Tensor {
        try dispatch(Op.gelu, [.tensor(self)], [("approximate", .string(approximate))])
    }
    /// `log(1 + e^(beta * x)) / beta`, and `x` itself where `beta * x` exceeds `threshold`, as
    /// `torch.nn.functional.softplus`.
    public func softplus(beta: Double = 1, threshold: Double = 20) throws -> Tensor {
        try dispatch(Op.softplus, [.tensor(self), .double(beta), .double(threshold)])
    }
    /// Limits every element to `[min, max]`; either bound may be omitted.
    public func clamp(min: Double? = nil, max: Double? = nil) throws -> Tensor {
        try dispatch(Op.clamp, [.tensor(self), min.map(ArgumentValue.double) ?? .none, max.map(ArgumentValue.double) ?? .none])
    }

    // MARK: Operators

    /// `a + b`, broadcasting, as in PyTorch.
    public static func + (a: Tensor, b: Tensor) throws -> Tensor { try a.add(b) }
    /// A tensor plus a number; the number does not change a float tensor's dtype, as a Python
    /// float.
    public static func + (a: Tensor, b: Double) throws -> Tensor { try dispatch(Op.add, slots: [.tensor(a), .double(b), .double(1)]) }
    /// A number plus a tensor; the number does not change a float tensor's dtype, as a Python
    /// float.
    public static func + (a: Double, b: Tensor) throws -> Tensor { try dispatch(Op.add, slots: [.double(a), .tensor(b), .double(1)]) }
    /// A tensor plus an integer, promoted as PyTorch promotes a Python int.
    public static func + (a: Tensor, b: Int) throws -> Tensor { try dispatch(Op.add, slots: [.tensor(a), .int(b), .double(1)]) }
    /// An integer plus a tensor, promoted as PyTorch promotes a Python int.
    public static func + (a: Int, b: Tensor) throws -> Tensor { try dispatch(Op.add, slots: [.int(a), .tensor(b), .double(1)]) }

    /// `a - b`, broadcasting, as in PyTorch.
    public static func - (a: Tensor, b: Tensor) throws -> Tensor { try a.sub(b) }
    /// A tensor minus a number, promoted as PyTorch promotes a Python float.
    public static func - (a: Tensor, b: Double) throws -> Tensor { try dispatch(Op.sub, slots: [.tensor(a), .double(b), .double(1)]) }
    /// A number minus a tensor, promoted as PyTorch promotes a Python float.
    public static func - (a: Double, b: Tensor) throws -> Tensor { try dispatch(Op.sub, slots: [.double(a), .tensor(b), .double(1)]) }
    /// A tensor minus an integer, promoted as PyTorch promotes a Python int.
    public static func - (a: Tensor, b: Int) throws -> Tensor { try dispatch(Op.sub, slots: [.tensor(a), .int(b), .double(1)]) }
    /// An integer minus a tensor, promoted as PyTorch promotes a Python int.
    public static func - (a: Int, b: Tensor) throws -> Tensor { try dispatch(Op.sub, slots: [.int(a), .tensor(b), .double(1)]) }
    /// `-a`, as ``neg()``. Swift's prefix minus binds tighter than `**`: write `-(x ** 2)` for
    /// Python's `-x ** 2`.
    public static prefix func - (a: Tensor) throws -> Tensor { try a.neg() }

    /// `a * b` elementwise, broadcasting, as in PyTorch.
    public static func * (a: Tensor, b: Tensor) throws -> Tensor { try a.mul(b) }
    /// A tensor times a number, promoted as PyTorch promotes a Python float.
    public static func * (a: Tensor, b: Double) throws -> Tensor { try dispatch(Op.mul, [.tensor(a), .double(b)]) }
    /// A number times a tensor, promoted as PyTorch promotes a Python float.
    public static func * (a: Double, b: Tensor) throws -> Tensor { try dispatch(Op.mul, [.double(a), .tensor(b)]) }
    /// A tensor times an integer, promoted as PyTorch promotes a Python int.
    public static func * (a: Tensor, b: Int) throws -> Tensor { try dispatch(Op.mul, [.tensor(a), .int(b)]) }
    /// An integer times a tensor, promoted as PyTorch promotes a Python int.
    public static func * (a: Int, b: Tensor) throws -> Tensor { try dispatch(Op.mul, [.int(a), .tensor(b)]) }

    /// `a / b`, true division (integers give the default float type), as in PyTorch.
    public static func / (a: Tensor, b: Tensor) throws -> Tensor { try a.div(b) }
    /// A tensor divided by a number, true division.
    public static func / (a: Tensor, b: Double) throws -> Tensor { try dispatch(Op.div, slots: [.tensor(a), .double(b), .none]) }
    /// A number divided by a tensor, true division.
    public static func / (a: Double, b: Tensor) throws -> Tensor { try dispatch(Op.div, slots: [.double(a), .tensor(b), .none]) }
    /// A tensor divided by an integer, true division.
    public static func / (a: Tensor, b: Int) throws -> Tensor { try dispatch(Op.div, slots: [.tensor(a), .int(b), .none]) }
    /// An integer divided by a tensor, true division.
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
