import SwiftTorchCore

// `x += y`, `x -= y`, `x *= y`, `x /= y` write `x` in place, as in PyTorch: the tensor keeps
// its identity, and every view of the same memory sees the change. The left side need not
// be a `var`: the operators change the tensor object, not the variable that refers to it.
// They are `add_`, `sub_`, `mul_` and `div_`, so their rules hold: the right side broadcasts
// to the left's shape, the result must be castable to its dtype (`ints /= 2` throws; use
// `div_(2, roundingMode: "floor")`), and a tensor that requires grad cannot be changed
// while gradients are recorded (do it inside `withNoGrad { }`).

extension Tensor {
    /// Adds `b` in place (`add_`).
    public static func += (a: Tensor, b: Tensor) throws { try a.add_(b) }
    /// Subtracts `b` in place (`sub_`).
    public static func -= (a: Tensor, b: Tensor) throws { try a.sub_(b) }
    /// Multiplies by `b` in place (`mul_`).
    public static func *= (a: Tensor, b: Tensor) throws { try a.mul_(b) }
    /// Divides by `b` in place (`div_`, true division).
    public static func /= (a: Tensor, b: Tensor) throws { try a.div_(b) }

    /// Adds the number `b` in place (an integer tensor stays integer with an integer `b`).
    public static func += <S: TensorScalar>(a: Tensor, b: S) throws { try a.add_(b) }
    /// Subtracts the number `b` in place.
    public static func -= <S: TensorScalar>(a: Tensor, b: S) throws { try a.sub_(b) }
    /// Multiplies by the number `b` in place.
    public static func *= <S: TensorScalar>(a: Tensor, b: S) throws { try a.mul_(b) }
    /// Divides by the number `b` in place (true division: the tensor must be floating point).
    public static func /= <S: TensorScalar>(a: Tensor, b: S) throws { try a.div_(b) }
}
