import Foundation
import SwiftTorch

/// BERT's WordPiece tokenizer, giving the ids of Hugging Face's tokenizer for BERT models
/// (`BertNormalizer`, `BertPreTokenizer`, `WordPiece`, then `[CLS] … [SEP]`):
///
/// - lower-casing and accent stripping (NFD, nonspacing marks dropped), control characters
///   deleted, every CJK ideograph a word of its own;
/// - words split at whitespace and punctuation, then cut greedily into the longest
///   vocabulary pieces (`##` marks a piece that continues a word), `[UNK]` for what cannot be cut;
/// - `[CLS]` first and `[SEP]` last, truncated to ``maxLength`` ids in all.
public struct BertTokenizer: Sendable {
    public let vocabulary: WordPieceVocabulary
    /// The most ids of one text, `[CLS]` and `[SEP]` included (a model's `max_seq_length`).
    public let maxLength: Int
    public let classifierID: Int
    public let separatorID: Int
    public let paddingID: Int
    public let unknownID: Int
    private let normalizer: BertNormalizer
    private let wordPiece: WordPiece

    /// A tokenizer over `vocabulary`; `lowercase: false` for cased models. Throws when
    /// `maxLength` is below 2 or a special token is missing from the vocabulary.
    public init(vocabulary: WordPieceVocabulary, maxLength: Int = 512, lowercase: Bool = true) throws {
        guard maxLength >= 2 else {
            throw TorchError(.invalidArgument, "BertTokenizer: maxLength must be at least 2 (room for [CLS] and [SEP]), got \(maxLength)")
        }
        self.vocabulary = vocabulary
        self.maxLength = maxLength
        classifierID = try vocabulary.requiredID(of: "[CLS]")
        separatorID = try vocabulary.requiredID(of: "[SEP]")
        paddingID = try vocabulary.requiredID(of: "[PAD]")
        unknownID = try vocabulary.requiredID(of: "[UNK]")
        normalizer = BertNormalizer(lowercase: lowercase)
        wordPiece = WordPiece(vocabulary: vocabulary, unknownID: unknownID)
    }

    /// A tokenizer reading `vocab.txt`.
    public init(vocabularyFile: URL, maxLength: Int = 512, lowercase: Bool = true) throws {
        try self.init(vocabulary: WordPieceVocabulary(contentsOf: vocabularyFile), maxLength: maxLength, lowercase: lowercase)
    }

    /// The WordPiece ids of `text`, without special tokens and without truncation.
    public func wordPieceIDs(_ text: String) -> [Int] {
        var ids: [Int] = []
        for word in BertPreTokenizer.words(normalizer.normalize(text)) {
            wordPiece.tokenize(word, into: &ids)
        }
        return ids
    }

    /// The pieces of `text` as strings (`["swift", "##tor", "##ch"]`), to see what the model sees.
    public func tokenize(_ text: String) -> [String] {
        wordPieceIDs(text).map { vocabulary.tokens[$0] }
    }

    /// `[CLS]`, the pieces of `text` (as many as fit), `[SEP]`: at most ``maxLength`` ids.
    public func encode(_ text: String) -> [Int] {
        [classifierID] + wordPieceIDs(text).prefix(maxLength - 2) + [separatorID]
    }

    /// Encoded texts padded with `[PAD]` to the longest of them, with the mask of real tokens.
    public func encodeBatch(_ texts: [String]) throws -> TokenBatch {
        try TokenBatch(texts.map(encode), paddingID: paddingID)
    }
}
