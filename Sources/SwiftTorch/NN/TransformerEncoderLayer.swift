import SwiftTorchCore

/// The activation between a Transformer layer's two feed-forward linears.
public enum TransformerActivation: String, Sendable {
    /// ReLU or GELU, PyTorch's `activation='relu'` or `'gelu'`.
    case relu, gelu

    func callAsFunction(_ x: Tensor) throws -> Tensor {
        switch self {
        case .relu: try x.relu()
        case .gelu: try x.gelu()
        }
    }
}

/// Self-attention then a feed-forward block, each with a residual connection and layer
/// normalisation, as PyTorch's `nn.TransformerEncoderLayer`. With `normFirst` the norms
/// come before each block (`x + sa(norm1(x))`), else after (`norm1(x + sa(x))`).
///
/// Submodules under PyTorch's keys: `self_attn`, `linear1`, `dropout`, `linear2`, `norm1`,
/// `norm2`, `dropout1`, `dropout2`.
///
/// <!-- snippet: transformer-encoder-layer -->
/// ```swift
/// let layer = TransformerEncoderLayer(dModel: 32, nhead: 4, dimFeedforward: 64, dropout: 0,
///                                     activation: .gelu, batchFirst: true, normFirst: true)
/// let y = try layer(Tensor.randn([2, 10, 32]), mask: Transformer.generateSquareSubsequentMask(10), isCausal: true)
/// ```
public final class TransformerEncoderLayer: Module {
    /// The self-attention block (PyTorch's `self_attn`).
    public let selfAttn: MultiheadAttention
    /// The feed-forward block's first linear, `dModel → dimFeedforward`.
    public let linear1: Linear
    /// The dropout between the feed-forward block's activation and `linear2`.
    public let dropout: Dropout
    /// The feed-forward block's second linear, `dimFeedforward → dModel`.
    public let linear2: Linear
    /// The layer norm of the self-attention block.
    public let norm1: LayerNorm
    /// The layer norm of the feed-forward block.
    public let norm2: LayerNorm
    /// The dropout on the self-attention block's output.
    public let dropout1: Dropout
    /// The dropout on the feed-forward block's output.
    public let dropout2: Dropout
    /// The feed-forward activation.
    public let activation: TransformerActivation
    /// Whether the norms come before the blocks (pre-norm) instead of after them.
    public let normFirst: Bool
    private let options: TransformerLayerOptions

    /// PyTorch's constructor: `nn.TransformerEncoderLayer(d_model, nhead, dim_feedforward=2048,
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
        linear1 = Linear(dModel, dimFeedforward, bias: bias, dtype: dtype, device: device, generator: generator)
        self.dropout = Dropout(p: dropout, generator: generator)
        linear2 = Linear(dimFeedforward, dModel, bias: bias, dtype: dtype, device: device, generator: generator)
        norm1 = options.norm()
        norm2 = options.norm()
        dropout1 = Dropout(p: dropout, generator: generator)
        dropout2 = Dropout(p: dropout, generator: generator)
        self.activation = activation
        self.normFirst = normFirst
        super.init()
    }

    /// A new layer with the same options and a copy of this one's weights (PyTorch's
    /// `copy.deepcopy`, which `nn.TransformerEncoder` uses to stack a layer).
    func copied() -> TransformerEncoderLayer {
        let o = options
        let copy = TransformerEncoderLayer(dModel: o.dModel, nhead: o.nhead, dimFeedforward: o.dimFeedforward, dropout: o.dropout,
                                           activation: o.activation, layerNormEps: o.layerNormEps, batchFirst: o.batchFirst,
                                           normFirst: o.normFirst, bias: o.bias, dtype: o.dtype, device: o.device,
                                           generator: o.generator)
        copy.copyWeights(from: self)
        return copy
    }

    /// `src` `[S, N, E]` (`[N, S, E]` with `batchFirst`, `[S, E]` unbatched) through the
    /// layer; `mask` and `srcKeyPaddingMask` are those of ``MultiheadAttention``, `isCausal`
    /// its hint that `mask` is causal.
    public func callAsFunction(_ src: Tensor, mask: Tensor? = nil, srcKeyPaddingMask: Tensor? = nil,
                               isCausal: Bool = false) throws -> Tensor {
        func selfAttention(_ x: Tensor) throws -> Tensor {
            try dropout1(selfAttn(x, x, x, keyPaddingMask: srcKeyPaddingMask, needWeights: false, attnMask: mask,
                                  isCausal: isCausal).output)
        }
        func feedForward(_ x: Tensor) throws -> Tensor { try dropout2(linear2(dropout(activation(linear1(x))))) }
        if normFirst {
            let x = try src + selfAttention(norm1(src))
            return try x + feedForward(norm2(x))
        }
        let x = try norm1(src + selfAttention(src))
        return try norm2(x + feedForward(x))
    }
}

/// The options a Transformer layer was built with, kept to build its copies.
struct TransformerLayerOptions {
    let dModel: Int, nhead: Int, dimFeedforward: Int, dropout: Double
    let activation: TransformerActivation, layerNormEps: Double
    let batchFirst: Bool, normFirst: Bool, bias: Bool
    let dtype: DType, device: Device?, generator: Generator

    func attention() -> MultiheadAttention {
        MultiheadAttention(embedDim: dModel, numHeads: nhead, dropout: dropout, bias: bias, batchFirst: batchFirst,
                           dtype: dtype, device: device, generator: generator)
    }

    func norm() -> LayerNorm { LayerNorm(dModel, eps: layerNormEps, bias: bias, dtype: dtype, device: device) }
}

extension Module {
    /// Copies `source`'s parameters and buffers into this module of the same shape; a
    /// failure (only possible when either could not be built) is kept as this module's
    /// construction error, thrown by its first forward call.
    func copyWeights(from source: Module) {
        if let error = source.constructionError ?? constructionError {
            constructionError = error
            return
        }
        do { try loadStateDict(source.stateDict()) } catch {
            constructionError = error as? TorchError ?? TorchError(.invalidArgument, "\(type(of: self)): \(error)")
        }
    }
}
