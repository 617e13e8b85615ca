import SwiftTorch

/// The sum of word, position and token-type embeddings, layer-normalised: BERT's input
/// (Hugging Face's `BertEmbeddings`, with its parameter names).
public final class BertEmbeddings: Module {
    public let wordEmbeddings: Embedding
    public let positionEmbeddings: Embedding
    public let tokenTypeEmbeddings: Embedding
    public let layerNorm: LayerNorm
    public let dropout: Dropout

    public init(_ config: BertConfig) {
        wordEmbeddings = Embedding(config.vocabSize, config.hiddenSize, paddingIdx: config.padTokenId)
        positionEmbeddings = Embedding(config.maxPositionEmbeddings, config.hiddenSize)
        tokenTypeEmbeddings = Embedding(config.typeVocabSize, config.hiddenSize)
        layerNorm = LayerNorm(config.hiddenSize, eps: config.layerNormEps)
        dropout = Dropout(p: config.hiddenDropoutProb)
        super.init()
    }

    /// Hugging Face's names (`LayerNorm` capitalised), so the state dict loads a checkpoint as it is.
    public override func children() -> [(String, Module)] {
        [("word_embeddings", wordEmbeddings), ("position_embeddings", positionEmbeddings),
         ("token_type_embeddings", tokenTypeEmbeddings), ("LayerNorm", layerNorm), ("dropout", dropout)]
    }

    /// `[N, L]` int64 ids (and token types, all 0 when nil) to `[N, L, hidden]`.
    public func callAsFunction(_ inputIDs: Tensor, tokenTypeIDs: Tensor? = nil) throws -> Tensor {
        guard inputIDs.shape.count == 2, inputIDs.shape[1] <= positionEmbeddings.numEmbeddings else {
            throw TorchError(.shapeMismatch, "BertEmbeddings: input ids must be [batch, length] with length at most \(positionEmbeddings.numEmbeddings) (max_position_embeddings), got \(inputIDs.shape)")
        }
        let positions = try Tensor.arange(inputIDs.shape[1], dtype: .int64, device: inputIDs.device).unsqueeze(0)
        let types = try tokenTypeIDs ?? Tensor.zeros(inputIDs.shape, dtype: .int64, device: inputIDs.device)
        // Hugging Face's order of the sums: (words + token types) + positions.
        let summed = try wordEmbeddings(inputIDs) + tokenTypeEmbeddings(types) + positionEmbeddings(positions)
        return try dropout(layerNorm(summed))
    }
}
