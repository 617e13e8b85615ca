import SwiftTorchCore

// torch.nn.functional's parametrised activations. Like PyTorch, they take floating-point
// tensors only ("leaky_relu_cpu" is not implemented for integers there either).

/// The unary rule of the activations: a floating-point input, an output of its dtype.
private func activationMeta(_ op: String) -> MetaFunction {
    { args in
        let t = args.tensor("self")
        guard t.dtype.isFloatingPoint else {
            throw TorchError(.dtypeMismatch, "\(op): input must be floating point, got \(t.dtype)\(describe(shape: t.shape))")
        }
        return .one(TensorSpec(t.shape, t.dtype))
    }
}

extension Op {
    /// `x` where `x > 0`, else `negative_slope * x`. NaN stays NaN.
    public static let leakyRelu = declare(OperatorDefinition(
        "leaky_relu(Tensor self, Scalar negative_slope=0.01) -> Tensor", group: .elementwise,
        meta: activationMeta("leaky_relu"), derivative: ActivationGrad.leakyRelu))

    /// `scale * x` where `x > 0`, else `scale * alpha * (exp(input_scale * x) - 1)`
    /// (PyTorch's `elu` with its `scale` and `input_scale`, which `selu` and `celu` reuse).
    public static let elu = declare(OperatorDefinition(
        "elu(Tensor self, Scalar alpha=1, Scalar scale=1, Scalar input_scale=1) -> Tensor", group: .elementwise,
        meta: activationMeta("elu"), derivative: ActivationGrad.elu))
}
