import Foundation
import SwiftTorch

/// The sizes of a BERT encoder, read from a Hugging Face `config.json` (its keys in snake_case).
public struct BertConfig: Sendable, Equatable, Decodable {
    public var vocabSize: Int
    public var hiddenSize: Int
    public var numHiddenLayers: Int
    public var numAttentionHeads: Int
    public var intermediateSize: Int
    public var maxPositionEmbeddings: Int
    public var typeVocabSize: Int
    public var layerNormEps: Double
    public var hiddenDropoutProb: Double
    public var attentionProbsDropoutProb: Double
    public var padTokenId: Int
    /// The feed-forward activation; only `gelu` (exact, erf-based) is supported.
    public var hiddenAct: String
    /// Only `absolute` position embeddings are supported.
    public var positionEmbeddingType: String

    /// BERT-base's sizes unless told otherwise.
    public init(vocabSize: Int = 30522, hiddenSize: Int = 768, numHiddenLayers: Int = 12, numAttentionHeads: Int = 12,
                intermediateSize: Int = 3072, maxPositionEmbeddings: Int = 512, typeVocabSize: Int = 2,
                layerNormEps: Double = 1e-12, hiddenDropoutProb: Double = 0.1, attentionProbsDropoutProb: Double = 0.1,
                padTokenId: Int = 0, hiddenAct: String = "gelu", positionEmbeddingType: String = "absolute") {
        self.vocabSize = vocabSize
        self.hiddenSize = hiddenSize
        self.numHiddenLayers = numHiddenLayers
        self.numAttentionHeads = numAttentionHeads
        self.intermediateSize = intermediateSize
        self.maxPositionEmbeddings = maxPositionEmbeddings
        self.typeVocabSize = typeVocabSize
        self.layerNormEps = layerNormEps
        self.hiddenDropoutProb = hiddenDropoutProb
        self.attentionProbsDropoutProb = attentionProbsDropoutProb
        self.padTokenId = padTokenId
        self.hiddenAct = hiddenAct
        self.positionEmbeddingType = positionEmbeddingType
    }

    private enum CodingKeys: String, CodingKey {
        case vocabSize = "vocab_size", hiddenSize = "hidden_size", numHiddenLayers = "num_hidden_layers"
        case numAttentionHeads = "num_attention_heads", intermediateSize = "intermediate_size"
        case maxPositionEmbeddings = "max_position_embeddings", typeVocabSize = "type_vocab_size"
        case layerNormEps = "layer_norm_eps", hiddenDropoutProb = "hidden_dropout_prob"
        case attentionProbsDropoutProb = "attention_probs_dropout_prob", padTokenId = "pad_token_id"
        case hiddenAct = "hidden_act", positionEmbeddingType = "position_embedding_type"
    }

    /// Missing optional keys take Hugging Face's defaults, as `BertConfig.from_pretrained` does.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = BertConfig()
        self.init(
            vocabSize: try c.decode(Int.self, forKey: .vocabSize),
            hiddenSize: try c.decode(Int.self, forKey: .hiddenSize),
            numHiddenLayers: try c.decode(Int.self, forKey: .numHiddenLayers),
            numAttentionHeads: try c.decode(Int.self, forKey: .numAttentionHeads),
            intermediateSize: try c.decode(Int.self, forKey: .intermediateSize),
            maxPositionEmbeddings: try c.decodeIfPresent(Int.self, forKey: .maxPositionEmbeddings) ?? d.maxPositionEmbeddings,
            typeVocabSize: try c.decodeIfPresent(Int.self, forKey: .typeVocabSize) ?? d.typeVocabSize,
            layerNormEps: try c.decodeIfPresent(Double.self, forKey: .layerNormEps) ?? d.layerNormEps,
            hiddenDropoutProb: try c.decodeIfPresent(Double.self, forKey: .hiddenDropoutProb) ?? d.hiddenDropoutProb,
            attentionProbsDropoutProb: try c.decodeIfPresent(Double.self, forKey: .attentionProbsDropoutProb) ?? d.attentionProbsDropoutProb,
            padTokenId: try c.decodeIfPresent(Int.self, forKey: .padTokenId) ?? d.padTokenId,
            hiddenAct: try c.decodeIfPresent(String.self, forKey: .hiddenAct) ?? d.hiddenAct,
            positionEmbeddingType: try c.decodeIfPresent(String.self, forKey: .positionEmbeddingType) ?? d.positionEmbeddingType)
    }

    /// Reads a Hugging Face `config.json`.
    public init(contentsOf url: URL) throws {
        self = try ModelFiles.decodeJSON(BertConfig.self, url, for: "BertConfig")
    }

    /// Throws unless the sizes make a model this implementation can run.
    public func validate() throws {
        let sizes = [vocabSize, hiddenSize, numHiddenLayers, numAttentionHeads, intermediateSize, maxPositionEmbeddings, typeVocabSize]
        guard sizes.allSatisfy({ $0 > 0 }) else {
            throw TorchError(.invalidArgument, "BertConfig: every size must be positive, got \(self)")
        }
        guard hiddenSize % numAttentionHeads == 0 else {
            throw TorchError(.invalidArgument, "BertConfig: hidden_size \(hiddenSize) is not a multiple of num_attention_heads \(numAttentionHeads)")
        }
        guard hiddenAct == "gelu" else {
            throw TorchError(.notImplemented, "BertConfig: hidden_act \"\(hiddenAct)\" is not supported (only \"gelu\")")
        }
        guard positionEmbeddingType == "absolute" else {
            throw TorchError(.notImplemented, "BertConfig: position_embedding_type \"\(positionEmbeddingType)\" is not supported (only \"absolute\")")
        }
    }
}
