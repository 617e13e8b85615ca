import SwiftTorchCore

/// `y = x Wᵀ + b`, as PyTorch's `nn.Linear`: `weight` is `[outFeatures, inFeatures]`,
/// `bias` is `[outFeatures]` (or absent with `bias: false`).
///
/// Initialised as PyTorch does: `kaiming_uniform_(a: sqrt(5))`, so the weight and the bias
/// are both uniform in `[-1/sqrt(inFeatures), 1/sqrt(inFeatures))`.
public final class Linear: Module, UnaryLayer {
    /// Size of each input sample.
    public let inFeatures: Int
    /// Size of each output sample.
    public let outFeatures: Int
    /// The `[outFeatures, inFeatures]` weight.
    @Parameter public var weight: Tensor
    /// The `[outFeatures]` bias, nil without one.
    @Parameter public var bias: Tensor?

    /// A layer with PyTorch's default initialisation, drawn from `generator`. A negative
    /// size, or memory that cannot be had, is thrown by the first forward call.
    public init(_ inFeatures: Int, _ outFeatures: Int, bias: Bool = true, dtype: DType = .defaultFloat,
                device: Device? = nil, generator: Generator = .default) {
        self.inFeatures = inFeatures
        self.outFeatures = outFeatures
        let made = LayerTensors("Linear") { () throws -> (weight: Tensor, bias: Tensor?) in
            guard inFeatures >= 0, outFeatures >= 0 else {
                throw TorchError(.invalidArgument, "Linear: feature counts must be non-negative, got inFeatures \(inFeatures), outFeatures \(outFeatures)")
            }
            let bound = Init.kaimingUniformBound(fanIn: inFeatures, a: 5.0.squareRoot())
            let weight = try Init.uniform([outFeatures, inFeatures], low: -bound, high: bound, dtype: dtype,
                                          device: device, generator: generator)
            // PyTorch bounds the bias by 1/sqrt(fan_in) directly; with a = sqrt(5) it is the same bound.
            let biasBound = inFeatures > 0 ? 1 / Double(inFeatures).squareRoot() : 0
            return (weight, bias ? try Init.uniform([outFeatures], low: -biasBound, high: biasBound, dtype: dtype,
                                                     device: device, generator: generator) : nil)
        }
        self.weight = made.value?.weight ?? .unbuiltPlaceholder(dtype)
        self.bias = made.value?.bias
        super.init()
        constructionError = made.error
    }

    /// `in_features=784, out_features=128, bias=True`, as PyTorch prints it.
    public override var extraRepr: String {
        "in_features=\(inFeatures), out_features=\(outFeatures), bias=\(PythonLiteral.bool(bias != nil))"
    }

    /// `x Wᵀ + b` over the last dimension of `x`.
    public func callAsFunction(_ x: Tensor) throws -> Tensor {
        try throwConstructionError()
        return try linear(x, weight: weight, bias: bias)
    }
}
