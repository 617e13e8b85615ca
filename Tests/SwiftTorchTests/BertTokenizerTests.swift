import Foundation
import Testing
import SwiftTorch
import SwiftTorchText

/// The WordPiece tokenizer's rules on a small hand-made vocabulary (no model needed); the
/// pretrained vocabulary is checked against Hugging Face in PretrainedMiniLMTests.
@Suite("BERT tokenizer")
struct BertTokenizerTests {
    static let tokens = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "un", "##aff", "##able", "aff", "able", "cafe", "!", ",",
                         "学", "习", "a", "##a", "hello", "world"]

    static func tokenizer(maxLength: Int = 512) throws -> BertTokenizer {
        try BertTokenizer(vocabulary: WordPieceVocabulary(tokens: tokens), maxLength: maxLength)
    }

    @Test("greedy longest match with ## continuations, [CLS] first and [SEP] last")
    func greedyLongestMatch() throws {
        let t = try Self.tokenizer()
        #expect(t.tokenize("unaffable") == ["un", "##aff", "##able"])
        #expect(t.encode("unaffable") == [2, 4, 5, 6, 3])
        #expect(t.tokenize("aaa") == ["a", "##a", "##a"])
    }

    @Test("a word that cannot be cut all the way, or of over 100 scalars, is one [UNK]")
    func unknownWords() throws {
        let t = try Self.tokenizer()
        #expect(t.tokenize("unaffablex hello") == ["[UNK]", "hello"])
        #expect(t.tokenize(String(repeating: "a", count: 100)).count == 100)
        #expect(t.tokenize(String(repeating: "a", count: 101)) == ["[UNK]"])
    }

    @Test("lower-casing, accents stripped, punctuation split off, control characters deleted")
    func normalisation() throws {
        let t = try Self.tokenizer()
        #expect(t.tokenize("Café!") == ["cafe", "!"])
        #expect(t.tokenize("CAFE\u{301},\tHEL\u{0}LO\u{200B}") == ["cafe", ",", "hello"])
        #expect(t.tokenize("hello\u{00A0}world") == ["hello", "world"])
    }

    @Test("each CJK ideograph is a word of its own")
    func chineseCharacters() throws {
        let t = try Self.tokenizer()
        #expect(t.tokenize("学习hello学") == ["学", "习", "hello", "学"])
    }

    @Test("truncation keeps [CLS] and [SEP] within maxLength; an empty text is [CLS] [SEP]")
    func truncation() throws {
        let t = try Self.tokenizer(maxLength: 4)
        #expect(t.encode("hello world hello world") == [2, 16, 17, 3])
        #expect(t.encode("") == [2, 3])
        #expect(throws: TorchError.self) { try Self.tokenizer(maxLength: 1) }
    }

    @Test("a batch pads to its longest text with [PAD] and masks the padding")
    func batchPadding() throws {
        let batch = try Self.tokenizer().encodeBatch(["hello", "hello world !"])
        #expect(batch.inputIDs.shape == [2, 5])
        #expect(try batch.inputIDs.toArray(of: Int.self) == [2, 16, 3, 0, 0, 2, 16, 17, 10, 3])
        #expect(try batch.attentionMask.toArray(of: Int.self) == [1, 1, 1, 0, 0, 1, 1, 1, 1, 1])
        #expect(batch.lengths == [3, 5])
        #expect(throws: TorchError.self) { try TokenBatch([], paddingID: 0) }
    }

    @Test("a vocabulary without a special token is refused, naming it")
    func missingSpecialToken() throws {
        let error = #expect(throws: TorchError.self) {
            try BertTokenizer(vocabulary: WordPieceVocabulary(tokens: ["[PAD]", "[UNK]", "[CLS]"]))
        }
        #expect(error?.message.contains("[SEP]") == true)
    }
}
