import SwiftTorchCore

// In-place operators write into `self`'s storage (PyTorch's trailing-underscore
// convention). Their meta returns no outputs: kernels write `self` directly, strided or
// not, with no temporary. The dispatcher bumps the storage's version after them, so
// autograd can refuse a backward pass through a tensor that changed after it was saved.
// The rules they share (broadcast to self, castable result, no expanded self, no grad)
// live in InPlaceRules.swift.

/// Declares an in-place elementwise operator whose tensor `operands` follow the rules.
private func inPlace(_ declaration: String, _ operands: [String],
                     compute: @escaping @Sendable (String, Arguments) throws -> (DType) throws -> DType = { _, _ in { $0 } }) -> OperatorHandle {
    let name = String(declaration.prefix { $0 != "(" })
    return declare(OperatorDefinition(declaration, group: .elementwise, meta: { args in
        try InPlace.elementwise(name, &args, operands, compute: compute(name, args))
    }))
}

extension Op {
    /// Copies `src` (broadcast and converted) into `self`'s elements.
    public static let copy_ = declare(OperatorDefinition(
        "copy_(Tensor self, Tensor src) -> Tensor", group: .conversion,
        meta: { args in
            let t = args.tensor("self"), src = args.tensor("src")
            try InPlace.checkWritable("copy_", t)
            guard (try? Meta.broadcastShape("copy_", [src.shape, t.shape])) == t.shape else {
                throw TorchError(.shapeMismatch, "copy_: source of shape \(describe(shape: src.shape)) does not broadcast to destination \(describe(shape: t.shape))")
            }
            args["src"] = .tensor(Meta.broadcastView(try Meta.cast(src, to: t.dtype), to: t.shape))
            return []
        }))

    /// `self += alpha * other`.
    public static let add_ = inPlace("add_(Tensor self, Tensor other, *, Scalar alpha=1) -> Tensor", ["other"])
    /// `self -= alpha * other`.
    public static let sub_ = inPlace("sub_(Tensor self, Tensor other, *, Scalar alpha=1) -> Tensor", ["other"],
                                     compute: { name, _ in ElementwiseRules.subtraction(name) })
    /// `self *= other`.
    public static let mul_ = inPlace("mul_(Tensor self, Tensor other) -> Tensor", ["other"])
    /// `self /= other`, truly or rounded; true division of integers cannot be written back.
    public static let div_ = inPlace("div_(Tensor self, Tensor other, *, str? rounding_mode=None) -> Tensor", ["other"],
                                     compute: { name, args in try ElementwiseRules.division(name, args) })
    /// `self += value * tensor1 * tensor2`.
    public static let addcmul_ = inPlace("addcmul_(Tensor self, Tensor tensor1, Tensor tensor2, *, Scalar value=1) -> Tensor",
                                         ["tensor1", "tensor2"], compute: { name, _ in Meta.numeric(name) })
    /// `self += value * tensor1 / tensor2`; floating point only, as in PyTorch.
    public static let addcdiv_ = inPlace("addcdiv_(Tensor self, Tensor tensor1, Tensor tensor2, *, Scalar value=1) -> Tensor",
                                         ["tensor1", "tensor2"], compute: { name, _ in floatOnly(name, "integer division with addcdiv is not supported; use div_ with a rounding_mode") })
    /// `self += weight * (end - self)`, PyTorch's two-sided formula.
    public static let lerp_ = declare(OperatorDefinition(
        "lerp_(Tensor self, Tensor end, Tensor weight) -> Tensor", group: .elementwise,
        meta: { args in
            let t = args.tensor("self")
            // PyTorch: end and a tensor weight must have self's dtype; a Swift number casts.
            for name in ["end", "weight"] {
                let operand = args.tensor(name)
                if operand.dtype != t.dtype, !operand.isWrappedNumber {
                    throw TorchError(.dtypeMismatch, "lerp_: expected dtype \(t.dtype) for `\(name)` but got dtype \(operand.dtype)")
                }
            }
            return try InPlace.elementwise("lerp_", &args, ["end", "weight"],
                                           compute: floatOnly("lerp_", "self must be a floating-point tensor"))
        }))
    /// Sets every element to `value` (converted to self's dtype: floats into integers truncate).
    public static let fill_ = declare(OperatorDefinition(
        "fill_(Tensor self, Scalar value) -> Tensor", group: .elementwise,
        meta: { args in
            try InPlace.checkWritable("fill_", args.tensor("self"))
            return []
        }))
    /// Sets every element to zero.
    public static let zero_ = declare(OperatorDefinition(
        "zero_(Tensor self) -> Tensor", group: .elementwise,
        meta: { args in
            try InPlace.checkWritable("zero_", args.tensor("self"))
            return []
        }))
    /// Limits every element to `[min, max]`; a float bound cannot clamp an integer tensor.
    public static let clamp_ = declare(OperatorDefinition(
        "clamp_(Tensor self, Scalar? min=None, Scalar? max=None) -> Tensor", group: .elementwise,
        meta: { args in
            let t = args.tensor("self")
            try InPlace.checkWritable("clamp_", t)
            let result = try Meta.numeric("clamp_")(Meta.resultType([t] + ElementwiseRules.clampBounds("clamp_", args)))
            guard InPlace.canCast(result, to: t.dtype) else {
                throw TorchError(.dtypeMismatch, "clamp_: result type \(result) can't be cast to the desired output type \(t.dtype)")
            }
            return []
        }))

    static let inPlaceFamily = [copy_, add_, sub_, mul_, div_, addcmul_, addcdiv_, lerp_, fill_, zero_, clamp_]
}

/// A compute rule that refuses integer and bool results with `reason`.
private func floatOnly(_ op: String, _ reason: String) -> @Sendable (DType) throws -> DType {
    { d in
        guard d.isFloatingPoint else { throw TorchError(.dtypeMismatch, "\(op): \(reason) (got \(d))") }
        return d
    }
}
