import SwiftTorchCore

/// Normalises the trailing `normalizedShape` dims of each sample, as PyTorch's
/// `nn.LayerNorm`; `weight` starts at ones and `bias` at zeros.
public final class LayerNorm: Module, UnaryLayer {
    public let normalizedShape: [Int]
    public let eps: Double
    @Parameter public var weight: Tensor?
    @Parameter public var bias: Tensor?

    public init(_ normalizedShape: [Int], eps: Double = 1e-5, elementwiseAffine: Bool = true, bias: Bool = true,
                dtype: DType = .defaultFloat, device: Device? = nil) throws {
        guard !normalizedShape.isEmpty, normalizedShape.allSatisfy({ $0 > 0 }) else {
            throw TorchError(.invalidArgument, "LayerNorm: normalized_shape must be non-empty with positive sizes, got \(normalizedShape)")
        }
        self.normalizedShape = normalizedShape
        self.eps = eps
        self.weight = elementwiseAffine ? try Tensor.ones(normalizedShape, dtype: dtype, device: device) : nil
        self.bias = elementwiseAffine && bias ? try Tensor.zeros(normalizedShape, dtype: dtype, device: device) : nil
        super.init()
    }

    public convenience init(_ normalizedShape: Int, eps: Double = 1e-5, elementwiseAffine: Bool = true, bias: Bool = true,
                            dtype: DType = .defaultFloat, device: Device? = nil) throws {
        try self.init([normalizedShape], eps: eps, elementwiseAffine: elementwiseAffine, bias: bias, dtype: dtype, device: device)
    }

    public func callAsFunction(_ x: Tensor) throws -> Tensor {
        try layerNorm(x, normalizedShape: normalizedShape, weight: weight, bias: bias, eps: eps)
    }
}
