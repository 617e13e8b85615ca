import SwiftTorchCore

// Pointwise comparisons spelled as Swift's SIMD types spell them: `.==`, `.!=`, `.<`, `.<=`,
// `.>`, `.>=` (the standard library declares these operators). They return bool tensors, as
// PyTorch's `x == y`; Swift keeps `==` for "are these the same value", which a tensor of
// answers is not. A Swift number (or Bool) on either side works as a Python scalar does:
// `x .> 0`, `0.5 .< x` (which is `x .> 0.5`); a float compares as a Python float, an
// integer as a Python int.

extension Tensor {
    /// Elementwise `a == b` (broadcast), as a bool tensor.
    public static func .== (a: Tensor, b: Tensor) throws -> Tensor { try a.eq(b) }
    /// Elementwise `a != b` (broadcast), as a bool tensor.
    public static func .!= (a: Tensor, b: Tensor) throws -> Tensor { try a.ne(b) }
    /// Elementwise `a < b` (broadcast), as a bool tensor.
    public static func .< (a: Tensor, b: Tensor) throws -> Tensor { try a.lt(b) }
    /// Elementwise `a <= b` (broadcast), as a bool tensor.
    public static func .<= (a: Tensor, b: Tensor) throws -> Tensor { try a.le(b) }
    /// Elementwise `a > b` (broadcast), as a bool tensor.
    public static func .> (a: Tensor, b: Tensor) throws -> Tensor { try a.gt(b) }
    /// Elementwise `a >= b` (broadcast), as a bool tensor.
    public static func .>= (a: Tensor, b: Tensor) throws -> Tensor { try a.ge(b) }

    /// Each element `== b`: `x .== 2`, `mask .== true`.
    public static func .== <S: TensorScalar>(a: Tensor, b: S) throws -> Tensor { try compare(Op.eq, a, b.argument) }
    /// Each element `!= b`.
    public static func .!= <S: TensorScalar>(a: Tensor, b: S) throws -> Tensor { try compare(Op.ne, a, b.argument) }
    /// Each element `< b`.
    public static func .< <S: TensorScalar>(a: Tensor, b: S) throws -> Tensor { try compare(Op.lt, a, b.argument) }
    /// Each element `<= b`.
    public static func .<= <S: TensorScalar>(a: Tensor, b: S) throws -> Tensor { try compare(Op.le, a, b.argument) }
    /// Each element `> b`.
    public static func .> <S: TensorScalar>(a: Tensor, b: S) throws -> Tensor { try compare(Op.gt, a, b.argument) }
    /// Each element `>= b`.
    public static func .>= <S: TensorScalar>(a: Tensor, b: S) throws -> Tensor { try compare(Op.ge, a, b.argument) }

    // A number on the left is the mirrored comparison with the number on the right, as
    // Python's reflected operators do (`2 < x` calls `x.__gt__(2)`).

    /// `a == ` each element.
    public static func .== <S: TensorScalar>(a: S, b: Tensor) throws -> Tensor { try b .== a }
    /// `a != ` each element.
    public static func .!= <S: TensorScalar>(a: S, b: Tensor) throws -> Tensor { try b .!= a }
    /// `a < ` each element.
    public static func .< <S: TensorScalar>(a: S, b: Tensor) throws -> Tensor { try b .> a }
    /// `a <= ` each element.
    public static func .<= <S: TensorScalar>(a: S, b: Tensor) throws -> Tensor { try b .>= a }
    /// `a > ` each element.
    public static func .> <S: TensorScalar>(a: S, b: Tensor) throws -> Tensor { try b .< a }
    /// `a >= ` each element.
    public static func .>= <S: TensorScalar>(a: S, b: Tensor) throws -> Tensor { try b .<= a }

    private static func compare(_ op: OperatorHandle, _ a: Tensor, _ b: ArgumentValue) throws -> Tensor {
        try dispatch(op, [.tensor(a), b])
    }
}
