import SwiftTorch

/// The feed-forward's widening projection and its activation (Hugging Face's `BertIntermediate`).
public final class BertIntermediate: Module {
    public let dense: Linear

    public init(_ config: BertConfig) {
        dense = Linear(config.hiddenSize, config.intermediateSize)
        super.init()
    }

    /// BERT's `gelu` is the exact, erf-based one (PyTorch's default `approximate="none"`).
    public func callAsFunction(_ x: Tensor) throws -> Tensor { try dense(x).gelu() }
}

/// One post-norm Transformer encoder layer of BERT: attention, then the GELU feed-forward,
/// each followed by a residual sum and LayerNorm.
public final class BertLayer: Module {
    public let attention: BertAttention
    public let intermediate: BertIntermediate
    public let output: BertAddNorm

    public init(_ config: BertConfig) {
        attention = BertAttention(config)
        intermediate = BertIntermediate(config)
        output = BertAddNorm(inFeatures: config.intermediateSize, config)
        super.init()
    }

    public func callAsFunction(_ x: Tensor, keyMask: Tensor?) throws -> Tensor {
        let attended = try attention(x, keyMask: keyMask)
        return try output(intermediate(attended), residual: attended)
    }
}

/// The stack of encoder layers, named `layer.0`, `layer.1`... as Hugging Face's `BertEncoder`.
public final class BertEncoder: Module {
    public let layer: [BertLayer]

    public init(_ config: BertConfig) {
        layer = (0..<config.numHiddenLayers).map { _ in BertLayer(config) }
        super.init()
    }

    public func callAsFunction(_ x: Tensor, keyMask: Tensor?) throws -> Tensor {
        try layer.reduce(x) { hidden, layer in try layer(hidden, keyMask: keyMask) }
    }
}
