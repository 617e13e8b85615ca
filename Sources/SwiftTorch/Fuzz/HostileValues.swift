/// Values at the limits of their types: what a careless caller or a corrupt file passes.
/// Every size, index and count argument must turn each of these into a thrown error or a
/// correct result, never a trap.
enum HostileValues {
    /// Integers for positions and counts: signs, the edges of Int32 and Int, and powers of
    /// two whose products overflow.
    static let ints: [Int] = [0, -1, -2, Int.max, Int.min, 1 << 62, -(1 << 62), 1 << 32, Int(Int32.max), Int(Int32.min)]

    /// Integers used as sizes: each is negative or too large to allocate. Sizes that could be
    /// allocated but take gigabytes (1 << 32 elements) are left out: they are slow, not wrong.
    static let sizes: [Int] = [-1, -5, Int.max, Int.min, 1 << 62, 1 << 48]

    /// Whole size lists whose element counts overflow or cannot be allocated.
    static let sizeLists: [[Int]] = [
        [1 << 32, 1 << 32], [Int.max], [1 << 62], [-5], [2, -1, -1], [0, Int.max], [Int.max, 0, 2],
        [1 << 31, 1 << 31, 1 << 31], [3, 1 << 62], [-1],
    ]

    /// Floating-point values: signed zero, the non-finite values, the extremes of Double,
    /// and a subnormal.
    static let doubles: [Double] = [
        0, -0.0, -1, .nan, .infinity, -.infinity, .greatestFiniteMagnitude, -.greatestFiniteMagnitude,
        .leastNonzeroMagnitude, 1e30, -1e30,
    ]

    /// Element values for integer tensors: the Int64 edges and Int32's.
    static let int64Elements: [Int64] = [Int64.max, Int64.min, Int64(Int32.max), Int64(Int32.min), -1, 1 << 40]

    /// Positions in an int64 index tensor: each is out of range for any tensor that fits in
    /// memory. Int32.max is left out: as a class index it asks one_hot for 2^31 classes, an
    /// output that may be allocated and takes a minute to fill (slow, not wrong).
    static let int64Positions: [Int64] = [Int64.max, Int64.min, 1 << 40, -(1 << 40)]
}
