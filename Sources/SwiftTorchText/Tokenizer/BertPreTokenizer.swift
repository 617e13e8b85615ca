import SwiftTorch

/// BERT's word splitting, as Hugging Face's `BertPreTokenizer`: whitespace separates words
/// and is dropped; each punctuation scalar is a word of its own.
enum BertPreTokenizer {
    static func words(_ scalars: [Unicode.Scalar]) -> [ArraySlice<Unicode.Scalar>] {
        var words: [ArraySlice<Unicode.Scalar>] = []
        var start = 0
        for (i, c) in scalars.enumerated() {
            let isSpace = BertCharacterClass.isWhitespace(c)
            guard isSpace || BertCharacterClass.isPunctuation(c) else { continue }
            if start < i { words.append(scalars[start..<i]) }
            if !isSpace { words.append(scalars[i...i]) }
            start = i + 1
        }
        if start < scalars.count { words.append(scalars[start...]) }
        return words
    }
}
