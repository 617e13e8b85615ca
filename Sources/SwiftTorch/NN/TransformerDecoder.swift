import SwiftTorchCore

/// A stack of ``TransformerDecoderLayer``s with an optional final norm, as PyTorch's
/// `nn.TransformerDecoder`; each layer starts as a copy of the one given.
///
/// <!-- snippet: transformer-decoder -->
/// ```swift
/// let decoder = TransformerDecoder(TransformerDecoderLayer(dModel: 32, nhead: 4, dimFeedforward: 64), numLayers: 2)
/// let y = try decoder(Tensor.randn([5, 2, 32]), memory: Tensor.randn([7, 2, 32]))   // [5, 2, 32]
/// ```
public final class TransformerDecoder: Module {
    /// The stacked layers, applied in order.
    public let layers: [TransformerDecoderLayer]
    /// The norm after the last layer, if any.
    public let norm: LayerNorm?

    /// `numLayers` copies of `decoderLayer`, then `norm` when given.
    public init(_ decoderLayer: TransformerDecoderLayer, numLayers: Int, norm: LayerNorm? = nil) {
        layers = (0..<Swift.max(numLayers, 0)).map { _ in decoderLayer.copied() }
        self.norm = norm
        super.init()
        if numLayers < 1 {
            constructionError = TorchError(.invalidArgument, "TransformerDecoder: num_layers must be at least 1, got \(numLayers)")
        }
    }

    /// `tgt` through every layer with the same memory and masks, then the norm.
    public func callAsFunction(_ tgt: Tensor, memory: Tensor, tgtMask: Tensor? = nil, memoryMask: Tensor? = nil,
                               tgtKeyPaddingMask: Tensor? = nil, memoryKeyPaddingMask: Tensor? = nil,
                               tgtIsCausal: Bool = false, memoryIsCausal: Bool = false) throws -> Tensor {
        try throwConstructionError()
        var x = tgt
        for layer in layers {
            x = try layer(x, memory: memory, tgtMask: tgtMask, memoryMask: memoryMask, tgtKeyPaddingMask: tgtKeyPaddingMask,
                          memoryKeyPaddingMask: memoryKeyPaddingMask, tgtIsCausal: tgtIsCausal, memoryIsCausal: memoryIsCausal)
        }
        return try norm.map { try $0(x) } ?? x
    }
}
