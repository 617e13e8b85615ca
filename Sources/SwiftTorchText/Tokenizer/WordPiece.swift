import SwiftTorch

/// Greedy longest-match-first WordPiece, as Hugging Face's `WordPiece` model: a word is cut
/// into the longest vocabulary entry from its start, then the longest `##`-prefixed entry
/// from there, and so on; a word that cannot be cut all the way (or is too long) is `[UNK]`.
struct WordPiece: Sendable {
    let vocabulary: WordPieceVocabulary
    let unknownID: Int
    /// Words of more scalars than this are `[UNK]` without trying (BERT's 100).
    var maxScalarsPerWord = 100
    private static let continuationPrefix = Array("##".utf8)

    /// Appends the ids of `word`'s pieces to `ids`.
    func tokenize(_ word: ArraySlice<Unicode.Scalar>, into ids: inout [Int]) {
        guard word.count <= maxScalarsPerWord else {
            ids.append(unknownID)
            return
        }
        // The UTF-8 bytes of the word, and where each scalar starts in them.
        var bytes: [UInt8] = []
        var offsets: [Int] = []
        for c in word {
            offsets.append(bytes.count)
            bytes += Array(String(c).utf8)
        }
        offsets.append(bytes.count)

        var pieces: [Int] = []
        var start = 0
        let n = word.count
        while start < n {
            var end = n
            var found: Int?
            while start < end {
                let piece = (start > 0 ? Self.continuationPrefix : []) + bytes[offsets[start]..<offsets[end]]
                if let id = vocabulary.id(utf8: piece) {
                    found = id
                    break
                }
                end -= 1
            }
            guard let id = found else {
                ids.append(unknownID)
                return
            }
            pieces.append(id)
            start = end
        }
        ids += pieces
    }
}
