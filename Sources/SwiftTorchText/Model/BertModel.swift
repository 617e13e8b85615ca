import Foundation
import SwiftTorch

/// A BERT encoder (Hugging Face's `BertModel` without its pooler) built from the library's
/// `Embedding`, `Linear`, `LayerNorm` and attention; its state-dict keys are Hugging Face's
/// (`encoder.layer.0.attention.self.query.weight`), so a checkpoint loads as it is.
public final class BertModel: Module {
    public let config: BertConfig
    public let embeddings: BertEmbeddings
    public let encoder: BertEncoder

    /// A randomly initialised model; throws when the config cannot be run (see ``BertConfig/validate()``).
    public init(_ config: BertConfig) throws {
        try config.validate()
        self.config = config
        embeddings = BertEmbeddings(config)
        encoder = BertEncoder(config)
        super.init()
    }

    /// The model in `folder` (a Hugging Face model folder: `config.json` and
    /// `model.safetensors`), in evaluation mode.
    public static func pretrained(_ folder: URL) throws -> BertModel {
        let model = try BertModel(BertConfig(contentsOf: folder.appendingPathComponent("config.json")))
        try model.loadPretrained(folder.appendingPathComponent("model.safetensors"))
        return model.eval()
    }

    /// Checkpoint keys this model has no use for: the pooler (a `[CLS]` projection for
    /// next-sentence prediction, unused by sentence embeddings) and `position_ids` (a constant
    /// buffer older checkpoints saved).
    static func isUnused(_ key: String) -> Bool {
        key.hasPrefix("pooler.") || key == "embeddings.position_ids"
    }

    /// Loads a Hugging Face BERT checkpoint by its key names (a leading `bert.`, as task
    /// models save it, is dropped). Every parameter must be there with its shape; keys the
    /// model does not use (see ``isUnused(_:)``) are skipped, any other extra key is an error.
    public func loadPretrained(_ safetensors: URL) throws {
        var tensors = try Safetensors.load(from: safetensors)
        if !tensors.isEmpty, tensors.keys.allSatisfy({ $0.hasPrefix("bert.") }) {
            tensors = Dictionary(uniqueKeysWithValues: tensors.map { (String($0.key.dropFirst("bert.".count)), $0.value) })
        }
        let used = tensors.filter { !Self.isUnused($0.key) }.sorted { $0.key < $1.key }
        try loadStateDict(StateDict(used.map { ($0.key, $0.value) }), strict: true)
    }

    /// The last hidden state, `[N, L, hidden]`, of `[N, L]` int64 ids; `attentionMask`
    /// (`[N, L]`, 1 for tokens, 0 for padding) keeps padding out of every token's attention.
    public func callAsFunction(_ inputIDs: Tensor, attentionMask: Tensor? = nil, tokenTypeIDs: Tensor? = nil) throws -> Tensor {
        let hidden = try embeddings(inputIDs, tokenTypeIDs: tokenTypeIDs)
        return try encoder(hidden, keyMask: attentionMask.map(Self.keyMask))
    }

    /// `[N, L]` 1/0 to bool `[N, 1, 1, L]`, broadcast over heads and queries: a padded key
    /// gets no weight after the softmax.
    static func keyMask(_ mask: Tensor) throws -> Tensor {
        guard mask.shape.count == 2 else {
            throw TorchError(.shapeMismatch, "BertModel: attention_mask must be [batch, length], got \(mask.shape)")
        }
        return try mask.ne(0).reshape([mask.shape[0], 1, 1, mask.shape[1]])
    }
}
