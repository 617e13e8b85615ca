/// The fuzzer's own random source (SplitMix64). It is written out here rather than taken
/// from the standard library so that a seed means the same calls on every Swift version
/// and platform: a failing call found today must replay tomorrow from its seed and index.
struct FuzzRandom {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    /// The source of call `index` of run `seed`: every call draws from its own stream, so
    /// one call replays without generating the calls before it.
    init(seed: UInt64, index: Int) {
        var mixer = FuzzRandom(seed: seed ^ 0x5EED_F022_0000_0000)
        for _ in 0..<2 { _ = mixer.next() }
        state = mixer.next() &+ UInt64(bitPattern: Int64(index)) &* 0x9E37_79B9_7F4A_7C15
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A number in `0..<n` (n > 0). The modulo bias is irrelevant for fuzzing.
    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }

    /// A number in `range`.
    mutating func int(_ range: ClosedRange<Int>) -> Int { range.lowerBound + below(range.upperBound - range.lowerBound + 1) }

    /// A number in [0, 1).
    mutating func unit() -> Double { Double(next() >> 11) * 0x1p-53 }

    /// True with probability `p`.
    mutating func chance(_ p: Double) -> Bool { unit() < p }

    /// One element of a non-empty array.
    mutating func pick<T>(_ items: [T]) -> T { items[below(items.count)] }

    /// `items` in a random order.
    mutating func shuffled<T>(_ items: [T]) -> [T] {
        var out = items
        for i in stride(from: out.count - 1, to: 0, by: -1) { out.swapAt(i, below(i + 1)) }
        return out
    }
}
