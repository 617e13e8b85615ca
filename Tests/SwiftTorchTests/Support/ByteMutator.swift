// A small deterministic mutation fuzzer for file readers: it starts from valid inputs and
// damages them the ways real files get damaged (cut short, bits flipped, pieces of another
// file spliced in) and the ways a hostile file is built (size fields set to type limits,
// numbers in JSON replaced by huge or negative ones, deep nesting). Seeded, so a failure
// found in CI replays exactly on any machine.

/// SplitMix64: a tiny seeded generator, independent of SwiftTorch's own `Generator`, so the
/// fuzzer does not change when the library's random numbers do.
struct FuzzRandom {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A number in `0 ..< n` (n > 0).
    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }

    /// An element of `choices` (not empty).
    mutating func pick<T>(_ choices: [T]) -> T { choices[below(choices.count)] }
}

/// Mutations of valid inputs. `mutate` damages any bytes; `mutateJSON` edits JSON text so that
/// it mostly stays JSON and the damage reaches the reader's checks, not only its parser.
struct ByteMutator {
    var random: FuzzRandom

    init(seed: UInt64) { random = FuzzRandom(seed: seed) }

    /// Integer field values at the limits of their types.
    static let limits: [UInt64] = [0, 1, 0x7F, 0x80, 0xFF, 0x7FFF_FFFF, 0x8000_0000, 0xFFFF_FFFF, 1 << 32,
                                   1 << 62, UInt64(Int64.max), 1 << 63, UInt64.max]

    /// JSON values that break assumptions: type limits, overflow, wrong types, specials.
    static let jsonValues = ["0", "-1", "1", "9223372036854775807", "9223372036854775808", "-9223372036854775808",
                             "4611686018427387904", "4294967296", "1e308", "1e999", "-0", "0.5", "\"nan\"", "\"inf\"",
                             "null", "true", "[]", "{}", "[-1]", "[0, 0]", "\"float16\"", "\"\"", "\"__metadata__\"",
                             "\"\\u0000\"", "\"\\ud800\"", "[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]"]

    /// `input` with one to four random mutations; `corpus` supplies pieces to splice in.
    mutating func mutate(_ input: [UInt8], corpus: [[UInt8]]) -> [UInt8] {
        var bytes = input
        for _ in 0...random.below(4) { bytes = mutateOnce(bytes, corpus: corpus) }
        return bytes
    }

    private mutating func mutateOnce(_ bytes: [UInt8], corpus: [[UInt8]]) -> [UInt8] {
        var bytes = bytes
        let at = random.below(bytes.count + 1)
        switch random.below(8) {
        case 0:  // cut short
            bytes.removeSubrange(at...)
        case 1:  // flip one bit
            if at < bytes.count { bytes[at] ^= UInt8(1) << UInt8(random.below(8)) }
        case 2:  // a byte at its limits
            if at < bytes.count { bytes[at] = random.pick([0, 0x7F, 0x80, 0xFF, 0x22, 0x5C, 0x7B, 0x5B]) }
        case 3:  // random bytes in
            bytes.insert(contentsOf: (0..<random.below(16) + 1).map { _ in UInt8(truncatingIfNeeded: random.next()) }, at: at)
        case 4:  // a range out
            bytes.removeSubrange(at..<Swift.min(bytes.count, at + random.below(64) + 1))
        case 5:  // a range repeated
            let end = Swift.min(bytes.count, at + random.below(64) + 1)
            bytes.insert(contentsOf: Array(bytes[at..<end]), at: at)
        case 6:  // a piece of another input spliced in
            let other = random.pick(corpus)
            let start = random.below(other.count + 1)
            let piece = other[start..<Swift.min(other.count, start + random.below(256) + 1)]
            bytes.replaceSubrange(at..<Swift.min(bytes.count, at + piece.count), with: piece)
        default:  // an integer field set to a type limit, 32-bit big-endian (IDX) or 64-bit little-endian (safetensors)
            let value = random.pick(Self.limits)
            let field: [UInt8] = random.below(2) == 0
                ? (0..<4).map { UInt8(truncatingIfNeeded: value >> (8 * (3 - UInt64($0)))) }
                : (0..<8).map { UInt8(truncatingIfNeeded: value >> (8 * UInt64($0))) }
            let start = Swift.min(at, Swift.max(bytes.count - field.count, 0))
            bytes.replaceSubrange(start..<Swift.min(bytes.count, start + field.count), with: field)
        }
        return bytes
    }

    /// Keys of the formats fuzzed: a key renamed to another makes a field go missing or
    /// appear twice while the text stays JSON.
    static let jsonKeys = ["\"\"", "\"__metadata__\"", "\"dtype\"", "\"shape\"", "\"data_offsets\"", "\"strides\"",
                           "\"offset\"", "\"data\"", "\"storage\"", "\"id\"", "\"op\"", "\"inputs\"", "\"args\"",
                           "\"expected\"", "\"grad\"", "\"output_grad\"", "\"cases\"", "\"format\""]

    /// JSON text with one to three edits, most of which keep it JSON so that the damage
    /// reaches the reader's checks: a value replaced by one of ``jsonValues``, a key by one of
    /// ``jsonKeys``, a value nested up to thousands deep; more rarely a structural character
    /// removed or a byte-level mutation.
    mutating func mutateJSON(_ text: [UInt8], corpus: [[UInt8]]) -> [UInt8] {
        var bytes = text
        for _ in 0...random.below(3) {
            let (values, keys) = Self.tokens(bytes)
            switch random.below(20) {
            case 0..<12 where !values.isEmpty:
                bytes.replaceSubrange(random.pick(values), with: Array(random.pick(Self.jsonValues).utf8))
            case 12..<15 where !keys.isEmpty:
                bytes.replaceSubrange(random.pick(keys), with: Array(random.pick(Self.jsonKeys).utf8))
            case 15..<17 where !values.isEmpty:
                let depth = random.pick([2, 64, 600, 5000])
                let nested = String(repeating: "[", count: depth) + "0" + String(repeating: "]", count: depth)
                bytes.replaceSubrange(random.pick(values), with: Array(nested.utf8))
            case 17:
                let structural = bytes.indices.filter { "{}[],:\"".utf8.contains(bytes[$0]) }
                if !structural.isEmpty { bytes.remove(at: random.pick(structural)) }
            default:
                bytes = mutateOnce(bytes, corpus: corpus)
            }
        }
        return bytes
    }

    /// The byte ranges of the values (strings, numbers, literals) and of the keys in JSON text.
    private static func tokens(_ bytes: [UInt8]) -> (values: [Range<Int>], keys: [Range<Int>]) {
        var values: [Range<Int>] = [], keys: [Range<Int>] = []
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            if b == UInt8(ascii: "\"") {
                var end = i + 1
                while end < bytes.count, bytes[end] != UInt8(ascii: "\"") { end += bytes[end] == UInt8(ascii: "\\") ? 2 : 1 }
                end = Swift.min(end + 1, bytes.count)
                let next = bytes[end...].first { !" \n\r\t".utf8.contains($0) }
                if next == UInt8(ascii: ":") { keys.append(i..<end) } else { values.append(i..<end) }
                i = end
            } else if "-0123456789tfn".utf8.contains(b) {
                var end = i + 1
                while end < bytes.count, "0123456789.eE+-truefalsn".utf8.contains(bytes[end]) { end += 1 }
                values.append(i..<end)
                i = end
            } else {
                i += 1
            }
        }
        return (values, keys)
    }
}
