import SwiftTorchCore

/// Python's `**` binds tighter than `*` and groups to the right (`2 ** 3 ** 2` is `2 ** 9`).
/// One difference remains: Swift's prefix operators bind tighter than any infix one, so
/// `-x ** 2` is `(-x) ** 2` here where Python reads `-(x ** 2)`; write `-(x ** 2)`.
precedencegroup ExponentiationPrecedence {
    higherThan: MultiplicationPrecedence
    associativity: right
}

/// Elementwise power, as Python's `**`: `x ** 2`, `2 ** x`, `x ** y`. The method form is
/// ``Tensor/pow(_:)-(Tensor)``.
infix operator ** : ExponentiationPrecedence

extension Tensor {
    /// Each element to the power `exponent` (broadcast): `x ** y`.
    public static func ** (base: Tensor, exponent: Tensor) throws -> Tensor { try base.pow(exponent) }
    /// Each element to the power of the number `exponent`: `x ** 2`, `x ** 0.5` (an integer
    /// tensor to an integer power stays integer).
    public static func ** <S: TensorScalar>(base: Tensor, exponent: S) throws -> Tensor {
        try dispatch(Op.pow, [.tensor(base), exponent.argument])
    }
    /// The number `base` to the power of each element: `2 ** x`.
    public static func ** <S: TensorScalar>(base: S, exponent: Tensor) throws -> Tensor {
        try dispatch(Op.pow, [base.argument, .tensor(exponent)])
    }
}
