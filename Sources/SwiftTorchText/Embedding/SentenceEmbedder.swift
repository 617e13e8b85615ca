import Foundation
import SwiftTorch

/// Sentence embeddings from a sentence-transformers BERT model folder (such as
/// all-MiniLM-L6-v2): tokenise, run the encoder, mean-pool over the real tokens, L2-normalise;
/// the same numbers as `SentenceTransformer(folder).encode(texts)`.
///
/// The model runs in evaluation mode without gradients, on the current backend.
public final class SentenceEmbedder {
    public let tokenizer: BertTokenizer
    public let model: BertModel

    /// The length of an embedding (the model's hidden size: 384 for MiniLM-L6).
    public var dimension: Int { model.config.hiddenSize }

    /// Loads `folder`: `config.json`, `model.safetensors`, `vocab.txt`, the truncation length
    /// `max_seq_length` of `sentence_bert_config.json`, and `1_Pooling/config.json` (which must
    /// ask for mean pooling, the one pooling implemented). A missing folder or file is
    /// reported by its path.
    public init(folder: URL) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw TorchError(.io, "SentenceEmbedder: no model folder at \(folder.path)")
        }
        let settings = try SentenceTransformerSettings(folder: folder)
        model = try BertModel.pretrained(folder)
        tokenizer = try BertTokenizer(vocabularyFile: folder.appendingPathComponent("vocab.txt"),
                                      maxLength: min(settings.maxSeqLength, model.config.maxPositionEmbeddings),
                                      lowercase: settings.lowercase)
    }

    /// The `[N, dimension]` float32 embeddings of `texts`, row `i` for `texts[i]`, each of
    /// unit length. Texts are embedded `batchSize` at a time, longest first, so each batch
    /// pads to similar lengths (sentence-transformers sorts the same way); the order of the
    /// rows is the order of `texts`.
    public func embed(_ texts: [String], batchSize: Int = 32) throws -> Tensor {
        guard batchSize > 0 else {
            throw TorchError(.invalidArgument, "SentenceEmbedder.embed: batchSize must be positive, got \(batchSize)")
        }
        guard !texts.isEmpty else { return try Tensor.zeros([0, dimension]) }
        let encoded = texts.map(tokenizer.encode)
        let order = encoded.indices.sorted { encoded[$0].count > encoded[$1].count }
        let batches = try withNoGrad {
            try stride(from: 0, to: order.count, by: batchSize).map { start in
                let rows = order[start..<min(start + batchSize, order.count)]
                return try embed(TokenBatch(rows.map { encoded[$0] }, paddingID: tokenizer.paddingID))
            }
        }
        // Row k of the sorted result belongs to text order[k]: invert the permutation.
        var position = [Int](repeating: 0, count: order.count)
        for (k, i) in order.enumerated() { position[i] = k }
        return try cat(batches, dim: 0).indexSelect(dim: 0, index: Tensor(position, shape: [position.count]))
    }

    /// The `[N, dimension]` unit embeddings of one padded batch.
    public func embed(_ batch: TokenBatch) throws -> Tensor {
        try withNoGrad {
            let tokens = try model(batch.inputIDs, attentionMask: batch.attentionMask)
            return try l2Normalized(meanPooling(tokens, attentionMask: batch.attentionMask))
        }
    }
}
