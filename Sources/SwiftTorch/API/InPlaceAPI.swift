import SwiftTorchCore

// The Swift face of the in-place operators (Ops/InPlaceOps.swift). Each writes `self`
// with one kernel call and returns `self`, so calls chain as in PyTorch:
// `buf.mul_(0.9).add_(grad)`.

extension TensorScalar {
    /// The number as an operator argument of its own kind: a float promotes as a Python
    /// float (it never widens a float tensor), an integer as a Python int.
    var argument: ArgumentValue {
        switch self {
        case let b as Bool: .bool(b)
        case is Float, is Double: .double(doubleValue)
        default: .int(Int(int64Value))
        }
    }
}

extension Tensor {
    /// Overwrites this tensor's elements with `source` (broadcast, converted), in place.
    ///
    /// <!-- snippet: in-place-copy -->
    /// ```swift
    /// try x.copy_(Tensor([1.0, 2.0]))
    /// ```
    @discardableResult
    public func copy_(_ source: Tensor) throws -> Tensor { try InPlace.call(Op.copy_, self, [.tensor(source)]) }

    /// Adds `alpha * other` in place; `other` broadcasts to this tensor's shape.
    ///
    /// <!-- snippet: in-place-add -->
    /// ```swift
    /// try p.add_(grad, alpha: -0.1)   // p -= 0.1 * grad
    /// ```
    @discardableResult
    public func add_(_ other: Tensor, alpha: Double = 1) throws -> Tensor {
        try InPlace.call(Op.add_, self, [.tensor(other)], [("alpha", .double(alpha))])
    }

    /// Adds `alpha * other` for a number `other`: `try x.add_(1)`.
    @discardableResult
    public func add_<S: TensorScalar>(_ other: S, alpha: S? = nil) throws -> Tensor {
        try InPlace.call(Op.add_, self, [other.argument], alpha.map { [("alpha", $0.argument)] } ?? [])
    }

    /// Subtracts `alpha * other` in place: `try x.sub_(y, alpha: 2)`.
    @discardableResult
    public func sub_(_ other: Tensor, alpha: Double = 1) throws -> Tensor {
        try InPlace.call(Op.sub_, self, [.tensor(other)], [("alpha", .double(alpha))])
    }

    /// Subtracts `alpha * other` for a number `other`: `try x.sub_(1)`.
    @discardableResult
    public func sub_<S: TensorScalar>(_ other: S, alpha: S? = nil) throws -> Tensor {
        try InPlace.call(Op.sub_, self, [other.argument], alpha.map { [("alpha", $0.argument)] } ?? [])
    }

    /// Multiplies by `other` in place: `try x.mul_(mask)`.
    @discardableResult
    public func mul_(_ other: Tensor) throws -> Tensor { try InPlace.call(Op.mul_, self, [.tensor(other)]) }

    /// Multiplies by a number in place: `try buf.mul_(0.9)`.
    @discardableResult
    public func mul_<S: TensorScalar>(_ factor: S) throws -> Tensor { try InPlace.call(Op.mul_, self, [factor.argument]) }

    /// Divides by `other` in place; `roundingMode` `"trunc"` or `"floor"` rounds the
    /// quotient (needed for integer tensors): `try x.div_(y)`.
    @discardableResult
    public func div_(_ other: Tensor, roundingMode: String? = nil) throws -> Tensor {
        try InPlace.call(Op.div_, self, [.tensor(other)], [("rounding_mode", roundingMode.map(ArgumentValue.string) ?? .none)])
    }

    /// Divides by a number in place: `try x.div_(2)`, or `try ints.div_(2, roundingMode: "floor")`.
    @discardableResult
    public func div_<S: TensorScalar>(_ divisor: S, roundingMode: String? = nil) throws -> Tensor {
        try InPlace.call(Op.div_, self, [divisor.argument], [("rounding_mode", roundingMode.map(ArgumentValue.string) ?? .none)])
    }

    /// Adds `value * tensor1 * tensor2` in place (Adam's second moment):
    ///
    /// <!-- snippet: in-place-addcmul -->
    /// ```swift
    /// try v.mul_(0.999).addcmul_(g, g, value: 0.001)
    /// ```
    @discardableResult
    public func addcmul_(_ tensor1: Tensor, _ tensor2: Tensor, value: Double = 1) throws -> Tensor {
        try InPlace.call(Op.addcmul_, self, [.tensor(tensor1), .tensor(tensor2)], [("value", .double(value))])
    }

    /// Adds `value * tensor1 / tensor2` in place (floating point only):
    ///
    /// <!-- snippet: in-place-addcdiv -->
    /// ```swift
    /// try p.addcdiv_(m, denom, value: -lr)
    /// ```
    @discardableResult
    public func addcdiv_(_ tensor1: Tensor, _ tensor2: Tensor, value: Double = 1) throws -> Tensor {
        try InPlace.call(Op.addcdiv_, self, [.tensor(tensor1), .tensor(tensor2)], [("value", .double(value))])
    }

    /// Moves towards `end` by `weight` (a tensor of this dtype), in place:
    /// `self + weight * (end - self)`. `try a.lerp_(b, weight: w)`.
    @discardableResult
    public func lerp_(_ end: Tensor, weight: Tensor) throws -> Tensor {
        try InPlace.call(Op.lerp_, self, [.tensor(end), .tensor(weight)])
    }

    /// Moves towards `end` by the fraction `weight`, in place (Adam's first moment):
    ///
    /// <!-- snippet: in-place-lerp -->
    /// ```swift
    /// try m.lerp_(grad, weight: 0.1)
    /// ```
    @discardableResult
    public func lerp_(_ end: Tensor, weight: Double) throws -> Tensor {
        try InPlace.call(Op.lerp_, self, [.tensor(end), .double(weight)])
    }

    /// Sets every element to `value` (converted to this dtype): `try mask.fill_(true)`.
    @discardableResult
    public func fill_<S: TensorScalar>(_ value: S) throws -> Tensor { try InPlace.call(Op.fill_, self, [value.argument]) }

    /// Sets every element to the single element of `value` (PyTorch's `fill_(Tensor)`).
    @discardableResult
    public func fill_(_ value: Tensor) throws -> Tensor { try InPlace.call(Op.fill_, self, [.tensor(value)]) }

    /// Sets every element to zero, in place: `try buf.zero_()`.
    @discardableResult
    public func zero_() throws -> Tensor { try InPlace.call(Op.zero_, self) }

    /// Limits every element to `[min, max]` in place; a nil bound is not applied and a NaN
    /// element stays NaN: `try x.clamp_(min: 0)`.
    @discardableResult
    public func clamp_(min: Double? = nil, max: Double? = nil) throws -> Tensor {
        try InPlace.call(Op.clamp_, self, [min.map(ArgumentValue.double) ?? .none, max.map(ArgumentValue.double) ?? .none])
    }

    /// Limits every element of an integer tensor to integer bounds in place:
    /// `try counts.clamp_(min: 0, max: 255)` (a float bound cannot clamp an integer tensor).
    @discardableResult
    public func clamp_(min: Int?, max: Int?) throws -> Tensor {
        try InPlace.call(Op.clamp_, self, [min.map(ArgumentValue.int) ?? .none, max.map(ArgumentValue.int) ?? .none])
    }
}
