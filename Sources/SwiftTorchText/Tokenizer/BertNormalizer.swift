import Foundation
import SwiftTorch

/// BERT's text normalisation, step for step as Hugging Face's `BertNormalizer`: delete
/// control characters and map whitespace to spaces; put spaces around CJK ideographs; strip
/// accents (NFD, then drop the nonspacing marks); lower-case, scalar by scalar.
struct BertNormalizer: Sendable {
    /// Whether to lower-case (the "uncased" models).
    var lowercase = true
    /// Whether to strip accents; BERT strips them exactly when it lower-cases unless told otherwise.
    var stripAccents: Bool? = nil

    func normalize(_ text: String) -> [Unicode.Scalar] {
        var scalars: [Unicode.Scalar] = []
        scalars.reserveCapacity(text.unicodeScalars.count)
        for c in text.unicodeScalars {
            // U+0000 and U+FFFD (the replacement character) are dropped with the control characters.
            if c.value == 0 || c.value == 0xFFFD || BertCharacterClass.isControl(c) { continue }
            if BertCharacterClass.isWhitespace(c) {
                scalars.append(" ")
            } else if BertCharacterClass.isChineseCharacter(c) {
                scalars += [" ", c, " "]
            } else {
                scalars.append(c)
            }
        }
        if stripAccents ?? lowercase {
            var text = String.UnicodeScalarView()
            text.append(contentsOf: scalars)
            // Canonical decomposition over the whole text (it also reorders combining marks),
            // then the nonspacing marks (Mn) are the accents to drop.
            scalars = String(text).decomposedStringWithCanonicalMapping.unicodeScalars.filter {
                $0.properties.generalCategory != .nonspacingMark
            }
        }
        if lowercase {
            // Scalar by scalar, as Rust's `char::to_lowercase`: no context rules (a final Σ
            // becomes σ, not ς), but full mappings (İ would become i + U+0307).
            scalars = scalars.flatMap { $0.properties.lowercaseMapping.unicodeScalars }
        }
        return scalars
    }
}
