import SwiftTorch

/// Multi-head scaled dot-product self-attention with BERT's separate `query`, `key` and
/// `value` projections (Hugging Face's `BertSelfAttention`): heads of `hidden / heads` each.
public final class BertSelfAttention: Module {
    public let query: Linear
    public let key: Linear
    public let value: Linear
    public let numHeads: Int
    /// Dropout on the attention probabilities, in training mode only.
    public let attentionDropout: Double

    public init(_ config: BertConfig) {
        query = Linear(config.hiddenSize, config.hiddenSize)
        key = Linear(config.hiddenSize, config.hiddenSize)
        value = Linear(config.hiddenSize, config.hiddenSize)
        numHeads = config.numAttentionHeads
        attentionDropout = config.attentionProbsDropoutProb
        super.init()
    }

    /// `[N, L, hidden]` to `[N, L, hidden]`; `keyMask` (bool `[N, 1, 1, L]`, true for a real
    /// token) keeps padding keys out of every query's attention.
    public func callAsFunction(_ x: Tensor, keyMask: Tensor?) throws -> Tensor {
        let (batch, length, hidden) = (x.shape[0], x.shape[1], x.shape[2])
        let headSize = hidden / numHeads
        func heads(_ t: Tensor) throws -> Tensor {
            try t.reshape([batch, length, numHeads, headSize]).permute([0, 2, 1, 3])
        }
        // The library's fused kernel: softmax(q kᵀ / sqrt(headSize), masked) v, per batch and head.
        let context = try scaledDotProductAttention(heads(query(x)), heads(key(x)), heads(value(x)), attnMask: keyMask,
                                                    dropoutP: isTraining ? attentionDropout : 0)
        return try context.permute([0, 2, 1, 3]).reshape([batch, length, hidden])
    }
}

/// BERT's attention block: self-attention, then the residual projection and LayerNorm.
public final class BertAttention: Module {
    public let selfAttention: BertSelfAttention
    public let output: BertAddNorm

    public init(_ config: BertConfig) {
        selfAttention = BertSelfAttention(config)
        output = BertAddNorm(inFeatures: config.hiddenSize, config)
        super.init()
    }

    /// Hugging Face's names: the attention proper is `self` (a Swift keyword, so a property can't be).
    public override func children() -> [(String, Module)] { [("self", selfAttention), ("output", output)] }

    public func callAsFunction(_ x: Tensor, keyMask: Tensor?) throws -> Tensor {
        try output(selfAttention(x, keyMask: keyMask), residual: x)
    }
}
