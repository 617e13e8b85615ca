/// How big one call's tensors are.
enum FuzzScale: String {
    /// A few hundred elements at most: the common case, fast on every backend.
    case small
    /// Past the OpenMP kernels' parallel grain (32,768 elements), so the split paths run.
    case large
    /// More dims than the OpenMP kernels' fixed geometry (8, and 16 for reductions), so
    /// the paths that walk leading dims in Swift run.
    case deep
}

/// The shapes one call draws its tensor arguments from. Arguments reuse the base shape and
/// a small pool of dims, so that shapes often agree (matmul's inner dim, conv's channels)
/// and the call reaches its kernel instead of stopping at a shape check.
struct FuzzShapes {
    let scale: FuzzScale
    /// The shape of the first tensor argument (`self`, `input`).
    let base: [Int]
    /// Dims that other arguments' shapes are built from.
    let pool: [Int]
    /// One shape per element of the call's tensor lists (`cat`, the fused optimizers): all
    /// lists of a call have this length, as parallel lists must.
    let listShapes: [[Int]]

    static let smallLimit = 256

    init(_ rng: inout FuzzRandom) {
        let roll = rng.unit()
        scale = roll < 0.03 ? .large : roll < 0.05 ? .deep : .small
        switch scale {
        case .small:
            pool = (0..<3).map { _ in rng.chance(0.06) ? 0 : rng.int(1...5) }
            base = FuzzShapes.shape(rank: rng.pick([0, 1, 1, 2, 2, 2, 3, 3, 4, 4, 4]), pool: pool, &rng)
        case .large:
            pool = [rng.int(2...4), rng.int(1...3), rng.int(2...5)]
            let lead = (0..<rng.int(0...2)).map { _ in rng.pick([1, 2, 3]) }
            base = lead + [rng.int(33_000...66_000) / lead.reduce(1, *) + 1]
        case .deep:
            pool = [1, 2]
            let rank = rng.chance(0.1) ? 17 : rng.int(9...12)
            base = (0..<rank).map { _ in rng.chance(0.8) ? 2 : 1 }
        }
        let listLength = rng.pick([0, 1, 1, 2, 2, 3])
        var lists: [[Int]] = []
        for _ in 0..<listLength {
            lists.append(rng.chance(0.7) ? FuzzShapes.limited(base) : FuzzShapes.shape(rank: rng.int(0...3), pool: pool, &rng))
        }
        listShapes = lists
    }

    /// A shape of `rank` with dims from `pool`, kept within the small limit.
    static func shape(rank: Int, pool: [Int], _ rng: inout FuzzRandom) -> [Int] {
        limited((0..<rank).map { _ in rng.pick(pool + [1]) })
    }

    /// `shape` with its largest dims halved until it holds at most `smallLimit` elements.
    static func limited(_ shape: [Int]) -> [Int] {
        var s = shape
        while s.reduce(1, *) > smallLimit, let i = s.indices.max(by: { s[$0] < s[$1] }) { s[i] = max(1, s[i] / 2) }
        return s
    }

    /// A shape for another tensor argument: mostly the base or one that broadcasts with it,
    /// sometimes one built from the pool, a 0-d or an empty one.
    func variant(_ rng: inout FuzzRandom) -> [Int] {
        let roll = rng.unit()
        if roll < 0.45 || scale != .small { return base }
        if roll < 0.60 { return broadcastable(&rng) }
        if roll < 0.85 { return FuzzShapes.shape(rank: rng.int(0...4), pool: pool, &rng) }
        if roll < 0.93 { return [] }
        var empty = base.isEmpty ? [2] : base
        empty[rng.below(empty.count)] = 0
        return empty
    }

    /// The base with some dims set to 1 or leading dims dropped: broadcasts back to it.
    func broadcastable(_ rng: inout FuzzRandom) -> [Int] {
        var s = base.map { rng.chance(0.35) ? 1 : $0 }
        if !s.isEmpty, rng.chance(0.4) { s.removeFirst(rng.int(1...s.count)) }
        return s
    }
}
