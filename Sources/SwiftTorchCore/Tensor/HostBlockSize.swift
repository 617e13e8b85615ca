/// The size classes of the caching allocator: every request is rounded up to one of them, and
/// a freed block is reused only for a request of the same class.
///
/// Four classes per doubling (64, 80, 96, 112, 128, 160, 192, ...), from 64 bytes (one cache
/// line, the alignment) up to ``maximumByteCount``:
/// - the rounding wastes less than a quarter of any request (an eighth on average), where
///   powers of two waste up to half, which on a 100 MiB activation is 50 MiB;
/// - a training step asks for the same shapes every step, so coarser classes would buy few
///   extra hits, and finer ones would split the same shapes' blocks across more lists;
/// - a class is found from the leading-zero count in a few instructions, and there are only
///   201 classes, so each has its own free list and lock in a fixed table.
/// Large classes are coarse in bytes anyway (from 4 MiB on, steps of at least 1 MiB, from
/// 8 MiB on multiples of the 2 MiB huge page).
enum HostBlockSize {
    /// The smallest block: one cache line. Smaller requests (scalars) share its class.
    static let minimum = 64
    /// The largest request the allocator accepts (64 PiB): beyond any machine's address
    /// space, low enough that rounding a request up can never overflow an `Int`.
    static let maximumByteCount = 1 << 56
    /// Number of classes: class 0 is 64 bytes, then four per doubling up to 2^56.
    static let classCount = index(for: maximumByteCount) + 1

    /// The class of a request of `byteCount` bytes, `0...maximumByteCount`.
    @inline(__always)
    static func index(for byteCount: Int) -> Int {
        if byteCount <= minimum { return 0 }
        let n = byteCount - 1
        // n lies in [2^k, 2^(k+1)); its two bits below the leading one pick the quarter.
        let k = Int.bitWidth - 1 - n.leadingZeroBitCount
        let quarter = (n >> (k - 2)) & 3
        return (k - 6) * 4 + quarter + 1
    }

    /// The bytes a block of class `index` holds.
    @inline(__always)
    static func capacity(ofClass index: Int) -> Int {
        if index == 0 { return minimum }
        let k = (index - 1) / 4 + 6
        let quarters = (index - 1) % 4 + 1
        return (1 << k) + quarters << (k - 2)
    }
}
