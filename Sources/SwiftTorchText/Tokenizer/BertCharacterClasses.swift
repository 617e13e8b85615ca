import SwiftTorch

/// The character classes of BERT's basic tokenizer, on Unicode scalars (Rust's `char`), as
/// Hugging Face's `tokenizers` defines them: matching its ids means matching these, not
/// Swift's grapheme-level `Character` properties.
enum BertCharacterClass {
    /// Tab, newline, return, space, and every scalar with Unicode's White_Space property.
    static func isWhitespace(_ c: Unicode.Scalar) -> Bool {
        c == "\t" || c == "\n" || c == "\r" || c == " " || c.properties.isWhitespace
    }

    /// Unicode's "Other" categories (Cc, Cf, Cs, Co, Cn), except tab, newline and return,
    /// which BERT counts as whitespace. These scalars are deleted before splitting.
    static func isControl(_ c: Unicode.Scalar) -> Bool {
        if c == "\t" || c == "\n" || c == "\r" { return false }
        switch c.properties.generalCategory {
        case .control, .format, .surrogate, .privateUse, .unassigned: return true
        default: return false
        }
    }

    /// ASCII punctuation (which includes symbols such as `$`, `+`, `^`, `|`) and every scalar
    /// of Unicode's punctuation categories (Pc, Pd, Ps, Pe, Pi, Pf, Po). Each is a token of its own.
    static func isPunctuation(_ c: Unicode.Scalar) -> Bool {
        switch c.value {
        case 33...47, 58...64, 91...96, 123...126: return true
        default: break
        }
        switch c.properties.generalCategory {
        case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation,
             .initialPunctuation, .finalPunctuation, .otherPunctuation:
            return true
        default:
            return false
        }
    }

    /// The CJK Unified Ideographs blocks (and their extensions and compatibility forms) that
    /// BERT surrounds with spaces, so each ideograph is a word of its own. Hiragana, katakana
    /// and hangul are not in them: they are written with spaces and split as other letters.
    static func isChineseCharacter(_ c: Unicode.Scalar) -> Bool {
        switch c.value {
        case 0x4E00...0x9FFF, 0x3400...0x4DBF, 0x20000...0x2A6DF, 0x2A700...0x2B73F,
             0x2B740...0x2B81F, 0x2B920...0x2CEAF, 0xF900...0xFAFF, 0x2F800...0x2FA1F:
            return true
        default:
            return false
        }
    }
}
