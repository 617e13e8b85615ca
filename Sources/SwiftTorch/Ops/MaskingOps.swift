import SwiftTorchCore

// Operators that replace elements by a mask or by their position: masked_fill, and the
// triangles tril and triu. Attention masks are built from these.

extension Op {
    /// `self` with `value` wherever the bool `mask` is true. `self` and `mask` broadcast
    /// together (the out-of-place form of PyTorch's `masked_fill`); `value` is a Swift
    /// number or a 0-d tensor (which then receives a gradient), converted to `self`'s dtype.
    /// PyTorch's `masked_fill.Scalar` and `masked_fill.Tensor` in one declaration: a number
    /// passed for a `Tensor` stays a number.
    public static let maskedFill = declare(OperatorDefinition(
        "masked_fill(Tensor self, Tensor mask, Tensor value) -> Tensor", group: .elementwise,
        meta: { args in
            let t = args.tensor("self"), mask = args.tensor("mask"), value = args.tensor("value")
            guard mask.dtype == .bool else {
                throw TorchError(.dtypeMismatch, "masked_fill: only bool masks are supported, got mask \(mask.dtype)\(describe(shape: mask.shape)) for self \(t.dtype)\(describe(shape: t.shape))")
            }
            guard value.rank == 0 else {
                throw TorchError(.shapeMismatch, "masked_fill: value must be a number or a 0-d tensor, got a tensor of shape \(describe(shape: value.shape))")
            }
            let shape = try Meta.broadcastShape("masked_fill", [t.shape, mask.shape])
            args["self"] = .tensor(Meta.broadcastView(t, to: shape))
            args["mask"] = .tensor(Meta.broadcastView(mask, to: shape))
            args["value"] = .tensor(Meta.broadcastView(try Meta.cast(value, to: t.dtype), to: shape))
            return .one(TensorSpec(shape, t.dtype))
        }, derivative: MaskingGrad.maskedFill))

    /// The lower triangle of the last two dims: elements with `column - row <= diagonal`
    /// are kept, the others zeroed. Any dtype.
    public static let tril = triangle("tril", derivative: MaskingGrad.triangle(upper: false))
    /// The upper triangle of the last two dims: elements with `column - row >= diagonal`
    /// are kept, the others zeroed. Any dtype.
    public static let triu = triangle("triu", derivative: MaskingGrad.triangle(upper: true))

    private static func triangle(_ name: String, derivative: Derivative) -> OperatorHandle {
        declare(OperatorDefinition("\(name)(Tensor self, int diagonal=0) -> Tensor", group: .elementwise, meta: { args in
            let t = args.tensor("self")
            guard t.rank >= 2 else {
                throw TorchError(.shapeMismatch, "\(name): input must have at least 2 dimensions (rows and columns), got \(t.dtype)\(describe(shape: t.shape))")
            }
            return .one(TensorSpec(t.shape, t.dtype))
        }, derivative: derivative))
    }
}
