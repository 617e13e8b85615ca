import SwiftTorchCore

/// A stack of ``TransformerEncoderLayer``s with an optional final norm, as PyTorch's
/// `nn.TransformerEncoder`. Each layer starts as a copy of the one given (PyTorch's
/// deep copy), so all start with the same weights; keys are `layers.0.self_attn.in_proj_weight`
/// and so on, then `norm.weight`.
///
/// <!-- snippet: transformer-encoder -->
/// ```swift
/// let layer = TransformerEncoderLayer(dModel: 32, nhead: 4, dimFeedforward: 64, batchFirst: true)
/// let encoder = TransformerEncoder(layer, numLayers: 2, norm: LayerNorm(32))
/// let mask = try Transformer.generateSquareSubsequentMask(10)
/// let y = try encoder(Tensor.randn([2, 10, 32]), mask: mask, isCausal: true)   // [2, 10, 32]
/// ```
public final class TransformerEncoder: Module {
    /// The stacked layers, applied in order.
    public let layers: [TransformerEncoderLayer]
    /// The norm after the last layer, if any.
    public let norm: LayerNorm?

    /// `numLayers` copies of `encoderLayer`, then `norm` when given.
    public init(_ encoderLayer: TransformerEncoderLayer, numLayers: Int, norm: LayerNorm? = nil) {
        layers = (0..<Swift.max(numLayers, 0)).map { _ in encoderLayer.copied() }
        self.norm = norm
        super.init()
        if numLayers < 1 {
            constructionError = TorchError(.invalidArgument, "TransformerEncoder: num_layers must be at least 1, got \(numLayers)")
        }
    }

    /// `src` through every layer with the same masks, then the norm.
    public func callAsFunction(_ src: Tensor, mask: Tensor? = nil, srcKeyPaddingMask: Tensor? = nil,
                               isCausal: Bool = false) throws -> Tensor {
        try throwConstructionError()
        var x = src
        for layer in layers { x = try layer(x, mask: mask, srcKeyPaddingMask: srcKeyPaddingMask, isCausal: isCausal) }
        return try norm.map { try $0(x) } ?? x
    }
}
