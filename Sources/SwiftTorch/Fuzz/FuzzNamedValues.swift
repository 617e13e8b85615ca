/// Integer and integer-list values chosen by what an argument's name says it is (a dim, a
/// size, a window), so that most calls are plausible and reach their kernels, and the rest
/// carry values at the limits of their types.
struct FuzzNamedValues {
    /// The call's base shape: dims and sizes are drawn to fit it.
    let shape: [Int]
    let pool: [Int]
    /// Parallel tensor lists' length (the fused optimizers' `state_steps` has one per entry).
    let listLength: Int

    var rank: Int { shape.count }
    var largestDim: Int { shape.max() ?? 1 }

    /// A value for an `int` argument called `name` of operator `op`.
    func int(_ op: String, _ name: String, _ rng: inout FuzzRandom) -> Int {
        let hostile = rng.chance(0.12)
        switch name {
        case "dim", "dim0", "dim1", "start_dim", "end_dim":
            return hostile ? rng.pick(HostileValues.ints) : rng.int(-rank - 1...rank)
        case "start":
            return hostile ? rng.pick(HostileValues.ints) : rng.int(-largestDim - 1...largestDim + 1)
        case "length":
            return hostile ? rng.pick(HostileValues.ints) : rng.int(0...largestDim + 1)
        case "num_classes", "n", "m", "steps":
            return hostile ? rng.pick(HostileValues.sizes) : rng.int(-1...6)
        case "groups":
            return hostile ? rng.pick([0, -1, Int.max, Int.min]) : rng.int(1...3)
        case "padding_idx", "ignore_index":
            return hostile ? rng.pick(HostileValues.ints) : rng.pick([-100, -1, 0, 1, 2])
        case "divisor_override", "storage_offset":
            return hostile ? rng.pick(HostileValues.ints) : rng.int(0...3)
        case "seed":
            return rng.chance(0.5) ? rng.pick(HostileValues.ints) : Int(truncatingIfNeeded: rng.next())
        default:
            return hostile ? rng.pick(HostileValues.ints) : rng.int(-2...5)
        }
    }

    /// A value for an `int[]` argument called `name` of operator `op`.
    func ints(_ op: String, _ name: String, _ rng: inout FuzzRandom) -> [Int] {
        switch name {
        case "size" where op == "as_strided", "input_size", "weight_size":
            return sized(FuzzShapes.shape(rank: name == "size" ? rng.int(0...3) : 4, pool: pool, &rng), &rng)
        case "stride" where op == "as_strided":
            // Filled in by `stridesForAsStrided` once `size` is known; this is the fallback.
            return window("stride", &rng)
        case "size", "shape":
            return sized(reshaped(&rng), &rng)
        case "normalized_shape":
            return sized(Array(shape.suffix(rng.int(0...rank))), &rng)
        case "kernel_size", "stride", "padding", "dilation":
            return window(name, &rng)
        case "dims":
            return permutation(&rng)
        case "dim":
            return dimList(&rng)
        case "state_steps":
            return (0..<listLength + (rng.chance(0.05) ? 1 : 0)).map { _ in rng.chance(0.9) ? rng.int(1...3) : rng.pick([0, -1, Int.max]) }
        default:
            return (0..<rng.int(0...3)).map { _ in rng.chance(0.1) ? rng.pick(HostileValues.ints) : rng.int(-1...4) }
        }
    }

    /// `as_strided`'s strides for `size`: small, often overlapping, sometimes hostile.
    func strides(for size: [Int], _ rng: inout FuzzRandom) -> [Int] {
        size.map { _ in rng.chance(0.08) ? rng.pick(HostileValues.ints) : rng.int(0...4) }
    }

    /// `proposal`, or (one time in eight) a size list whose element count overflows or
    /// cannot be allocated, or a negative entry.
    private func sized(_ proposal: [Int], _ rng: inout FuzzRandom) -> [Int] {
        guard rng.chance(0.125) else { return proposal }
        if rng.chance(0.5) || proposal.isEmpty { return rng.pick(HostileValues.sizeLists) }
        var s = proposal
        s[rng.below(s.count)] = rng.pick(HostileValues.sizes)
        return s
    }

    /// Shapes a `reshape`/`expand`/`full` would plausibly be given: the element count as one
    /// dim, an inferred `-1`, the base itself, with a leading dim added, or its dims reversed.
    private func reshaped(_ rng: inout FuzzRandom) -> [Int] {
        let count = shape.reduce(1, *)
        switch rng.below(5) {
        case 0: return [count]
        case 1: return shape.isEmpty ? [-1] : shape.enumerated().map { $0.offset == 0 ? -1 : $0.element }
        case 2: return shape
        case 3: return [rng.int(1...3)] + shape
        default: return shape.reversed()
        }
    }

    /// A pooling or convolution window list: mostly two entries in a plausible range.
    private func window(_ name: String, _ rng: inout FuzzRandom) -> [Int] {
        let length = rng.pick([2, 2, 2, 2, 1, 0, 3])
        let range: ClosedRange<Int> = switch name {
        case "kernel_size": 1...3
        case "padding": 0...1
        case "stride": 0...2
        default: 1...2
        }
        return (0..<length).map { _ in rng.chance(0.06) ? rng.pick(HostileValues.ints) : rng.int(range) }
    }

    /// A permutation of the base's dims, sometimes broken (repeated, out of range, short).
    private func permutation(_ rng: inout FuzzRandom) -> [Int] {
        var p = rng.shuffled(Array(0..<rank)).map { rng.chance(0.3) ? $0 - rank : $0 }
        if rng.chance(0.15) {
            if p.isEmpty || rng.chance(0.5) { p.append(rng.pick(HostileValues.ints)) } else { p[0] = p[p.count - 1] }
        }
        return p
    }

    /// A set of dims to reduce over: some of the base's, negative or not, sometimes repeated
    /// or out of range.
    private func dimList(_ rng: inout FuzzRandom) -> [Int] {
        var dims = (0..<rank).filter { _ in rng.chance(0.4) }.map { rng.chance(0.3) ? $0 - rank : $0 }
        if rng.chance(0.12) { dims.append(rng.chance(0.5) ? (dims.first ?? 0) : rng.pick(HostileValues.ints)) }
        return dims
    }
}
