import SwiftTorchCore

/// An encoder–decoder Transformer, as PyTorch's `nn.Transformer`: `numEncoderLayers`
/// encoder layers and `numDecoderLayers` decoder layers, each stack with a final layer norm
/// (keys `encoder.layers.0.…`, `encoder.norm.weight`, `decoder.layers.0.…`).
///
/// <!-- snippet: transformer-model -->
/// ```swift
/// let model = Transformer(dModel: 32, nhead: 4, numEncoderLayers: 2, numDecoderLayers: 2, dimFeedforward: 64)
/// let tgtMask = try Transformer.generateSquareSubsequentMask(5)
/// let y = try model(Tensor.randn([7, 2, 32]), Tensor.randn([5, 2, 32]), tgtMask: tgtMask)   // [5, 2, 32]
/// ```
public final class Transformer: Module {
    /// The encoder stack, with its final layer norm (keys `encoder.…`).
    public let encoder: TransformerEncoder
    /// The decoder stack, with its final layer norm (keys `decoder.…`).
    public let decoder: TransformerDecoder

    /// PyTorch's constructor: `nn.Transformer(d_model=512, nhead=8, num_encoder_layers=6,
    /// num_decoder_layers=6, dim_feedforward=2048, dropout=0.1, activation='relu',
    /// layer_norm_eps=1e-5, batch_first=False, norm_first=False, bias=True)`.
    public init(dModel: Int = 512, nhead: Int = 8, numEncoderLayers: Int = 6, numDecoderLayers: Int = 6,
                dimFeedforward: Int = 2048, dropout: Double = 0.1, activation: TransformerActivation = .relu,
                layerNormEps: Double = 1e-5, batchFirst: Bool = false, normFirst: Bool = false, bias: Bool = true,
                dtype: DType = .defaultFloat, device: Device? = nil, generator: Generator = .default) {
        let encoderLayer = TransformerEncoderLayer(dModel: dModel, nhead: nhead, dimFeedforward: dimFeedforward, dropout: dropout,
                                                   activation: activation, layerNormEps: layerNormEps, batchFirst: batchFirst,
                                                   normFirst: normFirst, bias: bias, dtype: dtype, device: device, generator: generator)
        let decoderLayer = TransformerDecoderLayer(dModel: dModel, nhead: nhead, dimFeedforward: dimFeedforward, dropout: dropout,
                                                   activation: activation, layerNormEps: layerNormEps, batchFirst: batchFirst,
                                                   normFirst: normFirst, bias: bias, dtype: dtype, device: device, generator: generator)
        func norm() -> LayerNorm { LayerNorm(dModel, eps: layerNormEps, bias: bias, dtype: dtype, device: device) }
        encoder = TransformerEncoder(encoderLayer, numLayers: numEncoderLayers, norm: norm())
        decoder = TransformerDecoder(decoderLayer, numLayers: numDecoderLayers, norm: norm())
        super.init()
    }

    /// Encodes `src` and decodes `tgt` against it; the masks are those of the encoder and
    /// decoder (`srcMask` is the encoder's `mask`).
    public func callAsFunction(_ src: Tensor, _ tgt: Tensor, srcMask: Tensor? = nil, tgtMask: Tensor? = nil,
                               memoryMask: Tensor? = nil, srcKeyPaddingMask: Tensor? = nil, tgtKeyPaddingMask: Tensor? = nil,
                               memoryKeyPaddingMask: Tensor? = nil, srcIsCausal: Bool = false, tgtIsCausal: Bool = false,
                               memoryIsCausal: Bool = false) throws -> Tensor {
        let memory = try encoder(src, mask: srcMask, srcKeyPaddingMask: srcKeyPaddingMask, isCausal: srcIsCausal)
        return try decoder(tgt, memory: memory, tgtMask: tgtMask, memoryMask: memoryMask, tgtKeyPaddingMask: tgtKeyPaddingMask,
                           memoryKeyPaddingMask: memoryKeyPaddingMask, tgtIsCausal: tgtIsCausal, memoryIsCausal: memoryIsCausal)
    }

    /// The float causal mask `[size, size]` of PyTorch's `generate_square_subsequent_mask`:
    /// 0 on and below the diagonal, `-inf` above it, so position `i` attends to `0...i`.
    ///
    /// <!-- snippet: square-subsequent-mask -->
    /// ```swift
    /// let mask = try Transformer.generateSquareSubsequentMask(3)
    /// // [[0, -inf, -inf],
    /// //  [0,    0, -inf],
    /// //  [0,    0,    0]]
    /// ```
    public static func generateSquareSubsequentMask(_ size: Int, dtype: DType = .defaultFloat, device: Device? = nil) throws -> Tensor {
        guard size >= 0 else {
            throw TorchError(.invalidArgument, "generateSquareSubsequentMask: size must be non-negative, got \(size)")
        }
        // PyTorch's own formula: triu(full(-inf), diagonal=1).
        return try Tensor.full([size, size], -.infinity, dtype: dtype, device: device).triu(diagonal: 1)
    }
}
