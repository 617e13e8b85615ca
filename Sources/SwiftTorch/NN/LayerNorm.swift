import SwiftTorchCore

/// Normalises the trailing `normalizedShape` dims of each sample, as PyTorch's
/// `nn.LayerNorm`; `weight` starts at ones and `bias` at zeros.
public final class LayerNorm: Module, UnaryLayer {
    /// The trailing dimensions normalised over.
    public let normalizedShape: [Int]
    /// Added to the variance before its square root, for stability.
    public let eps: Double
    /// Whether the layer has a learnable scale (and, unless `bias: false`, a shift).
    public let elementwiseAffine: Bool
    /// The elementwise scale, shaped `normalizedShape`; nil without the affine transform.
    @Parameter public var weight: Tensor?
    /// The elementwise shift, shaped `normalizedShape`; nil without the affine transform or bias.
    @Parameter public var bias: Tensor?

    /// Layer normalisation over the trailing `normalizedShape` dims. An empty shape or a
    /// non-positive size, or memory that cannot be had, is thrown by the first forward call.
    public init(_ normalizedShape: [Int], eps: Double = 1e-5, elementwiseAffine: Bool = true, bias: Bool = true,
                dtype: DType = .defaultFloat, device: Device? = nil) {
        self.normalizedShape = normalizedShape
        self.eps = eps
        self.elementwiseAffine = elementwiseAffine
        let made = LayerTensors("LayerNorm") { () throws -> (weight: Tensor?, bias: Tensor?) in
            guard !normalizedShape.isEmpty, normalizedShape.allSatisfy({ $0 > 0 }) else {
                throw TorchError(.invalidArgument, "LayerNorm: normalized_shape must be non-empty with positive sizes, got \(normalizedShape)")
            }
            return (elementwiseAffine ? try Tensor.ones(normalizedShape, dtype: dtype, device: device) : nil,
                    elementwiseAffine && bias ? try Tensor.zeros(normalizedShape, dtype: dtype, device: device) : nil)
        }
        self.weight = made.value?.weight
        self.bias = made.value?.bias
        super.init()
        constructionError = made.error
    }

    /// Layer normalisation over the last dim, of size `normalizedShape`.
    public convenience init(_ normalizedShape: Int, eps: Double = 1e-5, elementwiseAffine: Bool = true, bias: Bool = true,
                            dtype: DType = .defaultFloat, device: Device? = nil) {
        self.init([normalizedShape], eps: eps, elementwiseAffine: elementwiseAffine, bias: bias, dtype: dtype, device: device)
    }

    /// `(10,), eps=1e-05, elementwise_affine=True, bias=True`, as PyTorch prints it.
    public override var extraRepr: String {
        "\(PythonLiteral.tuple(normalizedShape)), eps=\(eps), elementwise_affine=\(PythonLiteral.bool(elementwiseAffine)), "
            + "bias=\(PythonLiteral.bool(bias != nil))"
    }

    /// Normalises `x` over its last dimensions, then scales and shifts.
    public func callAsFunction(_ x: Tensor) throws -> Tensor {
        try throwConstructionError()
        return try layerNorm(x, normalizedShape: normalizedShape, weight: weight, bias: bias, eps: eps)
    }
}
