import SwiftTorchCore

/// The small causal Transformer language model of `Examples/CharTransformer`: token and
/// learned position embeddings, a pre-norm ``TransformerEncoder`` with the causal mask and a
/// final norm, and a linear head to next-character logits.
public final class CharTransformer: Module {
    /// Each character's embedding, `vocabularySize × dModel`.
    public let tokenEmbedding: Embedding
    /// The learned embedding of each position, `contextLength × dModel`.
    public let positionEmbedding: Embedding
    /// The pre-norm causal encoder stack, with its final layer norm.
    public let encoder: TransformerEncoder
    /// The linear from `dModel` to next-character logits over the vocabulary.
    public let head: Linear
    /// The longest input the position embedding covers.
    public let contextLength: Int

    /// A model over `vocabularySize` characters; the defaults are the example's.
    public init(vocabularySize: Int, contextLength: Int = 64, dModel: Int = 64, nhead: Int = 4, numLayers: Int = 2,
                dimFeedforward: Int = 256, dropout: Double = 0.1) {
        self.contextLength = contextLength
        tokenEmbedding = Embedding(vocabularySize, dModel)
        positionEmbedding = Embedding(contextLength, dModel)
        let layer = TransformerEncoderLayer(dModel: dModel, nhead: nhead, dimFeedforward: dimFeedforward, dropout: dropout,
                                            activation: .gelu, batchFirst: true, normFirst: true)
        encoder = TransformerEncoder(layer, numLayers: numLayers, norm: LayerNorm(dModel))
        head = Linear(dModel, vocabularySize)
        super.init()
    }

    /// `[batch, T]` character indices (T up to `contextLength`) to `[batch, T, vocabulary]`
    /// logits; position `t` sees only positions `0...t`.
    public func callAsFunction(_ tokens: Tensor) throws -> Tensor {
        let length = tokens.shape[tokens.rank - 1]
        guard tokens.rank == 2, length <= contextLength else {
            throw TorchError(.shapeMismatch, "CharTransformer: expected [batch, T] indices with T <= \(contextLength), got \(describe(shape: tokens.shape))")
        }
        let positions = try Tensor.arange(length, device: tokens.device)
        let x = try tokenEmbedding(tokens) + positionEmbedding(positions)
        let mask = try Transformer.generateSquareSubsequentMask(length, device: tokens.device)
        return try head(encoder(x, mask: mask, isCausal: true))
    }

    /// The mean next-character cross entropy (nats) of `inputs` → `targets`.
    public func loss(_ inputs: Tensor, _ targets: Tensor) throws -> Tensor {
        let logits = try self(inputs)
        return try crossEntropy(logits.reshape([-1, logits.shape[2]]), targets.reshape([-1]))
    }

    /// The mean loss over `batches`, in evaluation mode without gradients.
    public func meanLoss(_ batches: [(inputs: Tensor, targets: Tensor)]) throws -> Double {
        let wasTraining = isTraining
        eval()
        defer { train(wasTraining) }
        return try withNoGrad {
            try batches.reduce(0) { $0 + (try loss($1.inputs, $1.targets).item(Double.self)) } / Double(Swift.max(batches.count, 1))
        }
    }

    /// `length` characters after `prompt`, each drawn from the softmax of the last logits
    /// divided by `temperature` (below 1 sharper, above 1 flatter), from `generator`.
    public func sample(_ corpus: CharacterCorpus, prompt: String, length: Int, temperature: Double,
                       generator: Generator) throws -> String {
        guard temperature > 0 else {
            throw TorchError(.invalidArgument, "CharTransformer.sample: temperature must be positive, got \(temperature)")
        }
        var tokens = try corpus.encode(prompt)
        guard !tokens.isEmpty else { throw TorchError(.invalidArgument, "CharTransformer.sample: the prompt is empty") }
        let wasTraining = isTraining
        eval()
        defer { train(wasTraining) }
        try withNoGrad {
            for _ in 0..<length {
                let context = Array(tokens.suffix(contextLength))
                let logits = try self(Tensor(context, shape: [1, context.count]))[0, context.count - 1]
                let probabilities = try (logits / temperature).softmax(dim: 0).toArray(of: Double.self)
                // Inverse-CDF draw: the first class whose cumulative probability passes u.
                let u = generator.uniform(1)[0]
                var cumulative = 0.0
                let next = probabilities.firstIndex { cumulative += $0; return cumulative > u } ?? probabilities.count - 1
                tokens.append(Int64(next))
            }
        }
        return corpus.decode(Array(tokens.suffix(length)))
    }
}
