import Foundation
import SwiftTorch

/// What a sentence-transformers folder says beyond the BERT model: the truncation length, the
/// lower-casing, and the pooling, which must be the mean over tokens this library implements.
struct SentenceTransformerSettings {
    var maxSeqLength: Int
    var lowercase: Bool

    private struct BertSettings: Decodable {
        var max_seq_length: Int?
        var do_lower_case: Bool?
    }

    private struct PoolingSettings: Decodable {
        var pooling_mode_mean_tokens: Bool?
        var pooling_mode_cls_token: Bool?
        var pooling_mode_max_tokens: Bool?
        var pooling_mode_mean_sqrt_len_tokens: Bool?
    }

    private struct TokenizerSettings: Decodable {
        var do_lower_case: Bool?
    }

    init(folder: URL) throws {
        let bert = try Self.decode(BertSettings.self, folder.appendingPathComponent("sentence_bert_config.json"))
        let pooling = try Self.decode(PoolingSettings.self, folder.appendingPathComponent("1_Pooling/config.json"))
        guard pooling.pooling_mode_mean_tokens == true, pooling.pooling_mode_cls_token != true,
              pooling.pooling_mode_max_tokens != true, pooling.pooling_mode_mean_sqrt_len_tokens != true else {
            throw TorchError(.notImplemented, "SentenceEmbedder: \(folder.path)/1_Pooling/config.json asks for a pooling other than the mean over tokens, \(pooling)")
        }
        // The tokenizer's own lower-casing (uncased models) lives in tokenizer_config.json; the
        // sentence-transformers flag lower-cases the text before it and is usually false.
        let tokenizerFile = folder.appendingPathComponent("tokenizer_config.json")
        let tokenizer = FileManager.default.fileExists(atPath: tokenizerFile.path)
            ? try Self.decode(TokenizerSettings.self, tokenizerFile) : TokenizerSettings(do_lower_case: true)
        guard let maxSeqLength = bert.max_seq_length else {
            throw TorchError(.io, "SentenceEmbedder: \(folder.path)/sentence_bert_config.json has no max_seq_length")
        }
        self.maxSeqLength = maxSeqLength
        lowercase = (tokenizer.do_lower_case ?? true) || (bert.do_lower_case ?? false)
    }

    private static func decode<T: Decodable>(_ type: T.Type, _ url: URL) throws -> T {
        try ModelFiles.decodeJSON(type, url, for: "SentenceEmbedder")
    }
}
