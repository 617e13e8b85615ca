import Foundation
import SwiftTorch

/// A WordPiece vocabulary: `vocab.txt`, one token per line, a token's id its line number.
///
/// Tokens are looked up by their UTF-8 bytes, not as Swift `String`s: `String` equality is
/// canonical equivalence (`"é" == "e\u{301}"`), and the ids must be those of exact matches.
public struct WordPieceVocabulary: Sendable {
    private let ids: [[UInt8]: Int]
    /// The tokens by id.
    public let tokens: [String]

    /// Reads `vocab.txt`. Trailing whitespace of a line is not part of its token, as in
    /// Hugging Face's reader; a repeated token keeps its last id.
    public init(contentsOf url: URL) throws {
        let data = try ModelFiles.read(url, for: "WordPieceVocabulary")
        guard let text = String(data: data, encoding: .utf8) else {
            throw TorchError(.io, "WordPieceVocabulary: \(url.path) is not UTF-8 text")
        }
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map {
            String(String.UnicodeScalarView($0.unicodeScalars.reversed().drop { $0.properties.isWhitespace }.reversed()))
        }
        if lines.last == "" { lines.removeLast() }
        try self.init(tokens: lines)
    }

    /// A vocabulary of `tokens`, a token's id its index.
    public init(tokens: [String]) throws {
        guard !tokens.isEmpty else {
            throw TorchError(.invalidArgument, "WordPieceVocabulary: the vocabulary is empty")
        }
        self.tokens = tokens
        var ids: [[UInt8]: Int] = [:]
        for (id, token) in tokens.enumerated() { ids[Array(token.utf8)] = id }
        self.ids = ids
    }

    /// Number of ids.
    public var count: Int { tokens.count }

    /// The id of `token`, or nil.
    public func id(of token: String) -> Int? { ids[Array(token.utf8)] }

    /// The id of the token spelled by these UTF-8 bytes, or nil.
    func id(utf8 bytes: [UInt8]) -> Int? { ids[bytes] }

    /// The id of a token the tokenizer cannot work without (`[CLS]`, `[UNK]`...).
    func requiredID(of token: String) throws -> Int {
        guard let id = id(of: token) else {
            throw TorchError(.invalidArgument, "WordPieceVocabulary: the special token \(token) is not in the vocabulary (\(count) tokens)")
        }
        return id
    }
}
