import SwiftTorchCore

/// Self-attention, attention over the encoder's output (`memory`), then a feed-forward
/// block, each with a residual connection and layer normalisation, as PyTorch's
/// `nn.TransformerDecoderLayer` (`normFirst` as in ``TransformerEncoderLayer``).
///
/// Submodules under PyTorch's keys: `self_attn`, `multihead_attn`, `linear1`, `dropout`,
/// `linear2`, `norm1`, `norm2`, `norm3`, `dropout1`, `dropout2`, `dropout3`.
///
/// <!-- snippet: transformer-decoder-layer -->
/// ```swift
/// let layer = TransformerDecoderLayer(dModel: 32, nhead: 4, dimFeedforward: 64, batchFirst: true)
/// let memory = try Tensor.randn([2, 7, 32])
/// let y = try layer(Tensor.randn([2, 5, 32]), memory: memory,
///                   tgtMask: Transformer.generateSquareSubsequentMask(5), tgtIsCausal: true)   // [2, 5, 32]
/// ```
public final class TransformerDecoderLayer: Module {
    /// The self-attention block over the target (PyTorch's `self_attn`).
    public let selfAttn: MultiheadAttention
    /// The attention from the target to the encoder's output, `memory` (PyTorch's `multihead_attn`).
    public let multiheadAttn: MultiheadAttention
    /// The feed-forward block's first linear, `dModel → dimFeedforward`.
    public let linear1: Linear
    /// The dropout between the feed-forward block's activation and `linear2`.
    public let dropout: Dropout
    /// The feed-forward block's second linear, `dimFeedforward → dModel`.
    public let linear2: Linear
    /// The layer norm of the self-attention block.
    public let norm1: LayerNorm
    /// The layer norm of the attention over `memory`.
    public let norm2: LayerNorm
    /// The layer norm of the feed-forward block.
    public let norm3: LayerNorm
    /// The dropout on the self-attention block's output.
    public let dropout1: Dropout
    /// The dropout on the output of the attention over `memory`.
    public let dropout2: Dropout
    /// The dropout on the feed-forward block's output.
    public let dropout3: Dropout
    /// The feed-forward activation.
    public let activation: TransformerActivation
    /// Whether the norms come before the blocks (pre-norm) instead of after them.
    public let normFirst: Bool
    private let options: TransformerLayerOptions

    /// PyTorch's constructor: `nn.TransformerDecoderLayer(d_model, nhead, dim_feedforward=2048,
    /// dropout=0.1, activation='relu', layer_norm_eps=1e-5, batch_first=False, norm_first=False,
    /// bias=True)`. A bad size is thrown by the first forward call.
    public init(dModel: Int, nhead: Int, dimFeedforward: Int = 2048, dropout: Double = 0.1,
                activation: TransformerActivation = .relu, layerNormEps: Double = 1e-5, batchFirst: Bool = false,
                normFirst: Bool = false, bias: Bool = true, dtype: DType = .defaultFloat, device: Device? = nil,
                generator: Generator = .default) {
        options = TransformerLayerOptions(dModel: dModel, nhead: nhead, dimFeedforward: dimFeedforward, dropout: dropout,
                                          activation: activation, layerNormEps: layerNormEps, batchFirst: batchFirst,
                                          normFirst: normFirst, bias: bias, dtype: dtype, device: device, generator: generator)
        selfAttn = options.attention()
        multiheadAttn = options.attention()
        linear1 = Linear(dModel, dimFeedforward, bias: bias, dtype: dtype, device: device, generator: generator)
        self.dropout = Dropout(p: dropout, generator: generator)
        linear2 = Linear(dimFeedforward, dModel, bias: bias, dtype: dtype, device: device, generator: generator)
        norm1 = options.norm()
        norm2 = options.norm()
        norm3 = options.norm()
        dropout1 = Dropout(p: dropout, generator: generator)
        dropout2 = Dropout(p: dropout, generator: generator)
        dropout3 = Dropout(p: dropout, generator: generator)
        self.activation = activation
        self.normFirst = normFirst
        super.init()
    }

    /// A new layer with the same options and a copy of this one's weights.
    func copied() -> TransformerDecoderLayer {
        let o = options
        let copy = TransformerDecoderLayer(dModel: o.dModel, nhead: o.nhead, dimFeedforward: o.dimFeedforward, dropout: o.dropout,
                                           activation: o.activation, layerNormEps: o.layerNormEps, batchFirst: o.batchFirst,
                                           normFirst: o.normFirst, bias: o.bias, dtype: o.dtype, device: o.device,
                                           generator: o.generator)
        copy.copyWeights(from: self)
        return copy
    }

    /// `tgt` `[T, N, E]` (`[N, T, E]` with `batchFirst`) through the layer, attending to
    /// `memory` `[S, N, E]`. The masks are those of ``MultiheadAttention``: `tgtMask` `[T, T]`
    /// and `tgtKeyPaddingMask` `[N, T]` for self-attention, `memoryMask` `[T, S]` and
    /// `memoryKeyPaddingMask` `[N, S]` for the attention over memory.
    public func callAsFunction(_ tgt: Tensor, memory: Tensor, tgtMask: Tensor? = nil, memoryMask: Tensor? = nil,
                               tgtKeyPaddingMask: Tensor? = nil, memoryKeyPaddingMask: Tensor? = nil,
                               tgtIsCausal: Bool = false, memoryIsCausal: Bool = false) throws -> Tensor {
        func selfAttention(_ x: Tensor) throws -> Tensor {
            try dropout1(selfAttn(x, x, x, keyPaddingMask: tgtKeyPaddingMask, needWeights: false, attnMask: tgtMask,
                                  isCausal: tgtIsCausal).output)
        }
        func memoryAttention(_ x: Tensor) throws -> Tensor {
            try dropout2(multiheadAttn(x, memory, memory, keyPaddingMask: memoryKeyPaddingMask, needWeights: false,
                                       attnMask: memoryMask, isCausal: memoryIsCausal).output)
        }
        func feedForward(_ x: Tensor) throws -> Tensor { try dropout3(linear2(dropout(activation(linear1(x))))) }
        if normFirst {
            var x = try tgt + selfAttention(norm1(tgt))
            x = try x + memoryAttention(norm2(x))
            return try x + feedForward(norm3(x))
        }
        var x = try norm1(tgt + selfAttention(tgt))
        x = try norm2(x + memoryAttention(x))
        return try norm3(x + feedForward(x))
    }
}
