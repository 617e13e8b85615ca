import SwiftTorch

/// A projection, dropout, then `LayerNorm(projection + residual)`: the post-norm residual
/// step after BERT's attention (`BertSelfOutput`) and after its feed-forward (`BertOutput`),
/// which differ only in their input width.
public final class BertAddNorm: Module {
    public let dense: Linear
    public let layerNorm: LayerNorm
    public let dropout: Dropout

    public init(inFeatures: Int, _ config: BertConfig) {
        dense = Linear(inFeatures, config.hiddenSize)
        layerNorm = LayerNorm(config.hiddenSize, eps: config.layerNormEps)
        dropout = Dropout(p: config.hiddenDropoutProb)
        super.init()
    }

    /// Hugging Face's names (`LayerNorm` capitalised).
    public override func children() -> [(String, Module)] {
        [("dense", dense), ("LayerNorm", layerNorm), ("dropout", dropout)]
    }

    public func callAsFunction(_ x: Tensor, residual: Tensor) throws -> Tensor {
        try layerNorm(dropout(dense(x)) + residual)
    }
}
