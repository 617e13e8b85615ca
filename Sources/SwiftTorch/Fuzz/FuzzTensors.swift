import SwiftTorchCore

/// How a tensor argument lays its elements out in storage. Kernels that assume a dense,
/// row-major operand read or write outside their buffer on every layout but the first.
enum FuzzLayout: String, CaseIterable {
    case contiguous
    /// Dims permuted: a transposed view.
    case transposed
    /// Every dim sliced with a step (`x[::2, ::3]`): gaps between elements.
    case stepped
    /// Some dims of stride 0, as `expand` makes.
    case expanded
    /// Strides smaller than the dims they skip: elements share memory.
    case overlapping
    /// A view that starts inside its storage.
    case offset
}

/// What a tensor's elements are for.
enum FuzzElements {
    /// Data: small numbers, with the occasional NaN, infinity or type limit.
    case values
    /// Positions into a dim of about `limit` entries: mostly valid, some just out of range,
    /// a few at the type's limits.
    case indices(limit: Int)
}

/// Builds tensor arguments with a chosen shape, dtype, layout and contents. Every view is
/// made with `as_strided` over a storage that holds exactly what the view reaches, so an
/// out-of-bounds access in a kernel lands outside the allocation, where AddressSanitizer
/// sees it.
enum FuzzTensors {
    static func make(_ shape: [Int], _ dtype: DType, _ layout: FuzzLayout, _ elements: FuzzElements,
                     _ rng: inout FuzzRandom) throws -> Tensor {
        let (strides, offset) = geometry(shape, layout, &rng)
        var reach = offset + 1
        if !shape.contains(0) { for (size, stride) in zip(shape, strides) { reach += (size - 1) * stride } }
        // One tensor in five carries limit values, so most calls still compute on plain numbers.
        let hostileShare = rng.chance(0.2) ? 0.05 : 0
        let base: Tensor
        switch (elements, dtype) {
        case (_, .float32), (_, .float64):
            base = try Tensor((0..<reach).map { _ in value(hostileShare, &rng) }, shape: [reach], dtype: dtype)
        case (.indices(let limit), _):
            base = try Tensor((0..<reach).map { _ in index(limit, dtype, &rng) }, shape: [reach], dtype: dtype)
        case (.values, _):
            base = try Tensor((0..<reach).map { _ in integer(dtype, hostileShare, &rng) }, shape: [reach], dtype: dtype)
        }
        return try dispatch(Op.asStrided, [.tensor(base), .ints(shape), .ints(strides), .int(offset)])
    }

    /// Strides (in elements) and offset for `layout`.
    static func geometry(_ shape: [Int], _ layout: FuzzLayout, _ rng: inout FuzzRandom) -> (strides: [Int], offset: Int) {
        let dense = Tensor.contiguousStrides(for: shape)
        switch layout {
        case .contiguous:
            return (dense, 0)
        case .transposed, .offset:
            let order = rng.shuffled(Array(shape.indices))
            let permuted = Tensor.contiguousStrides(for: order.map { shape[$0] })
            var strides = dense
            for (i, d) in order.enumerated() { strides[d] = permuted[i] }
            return (strides, layout == .offset ? rng.int(1...4) : 0)
        case .stepped:
            // The steps' product is at most 4, so the storage is at most 4 times the elements:
            // deep tensors would otherwise need 3^rank times as many.
            var strides = dense, run = 1, gaps = 1
            for d in shape.indices.reversed() {
                let drawn = rng.int(1...3), step = gaps * drawn <= 4 ? drawn : 1
                gaps *= step
                strides[d] = run * step
                run *= step * max(shape[d], 1)
            }
            return (strides, 0)
        case .expanded:
            var strides = dense
            for d in shape.indices where rng.chance(0.5) { strides[d] = 0 }
            if !shape.isEmpty { strides[rng.below(shape.count)] = 0 }
            return (strides, 0)
        case .overlapping:
            return (shape.map { _ in rng.pick([0, 1, 1, 2]) }, rng.int(0...1))
        }
    }

    /// A floating-point element; a limit value with probability `hostile`.
    static func value(_ hostile: Double, _ rng: inout FuzzRandom) -> Double {
        rng.chance(hostile) ? rng.pick(HostileValues.doubles) : (rng.unit() * 8 - 4).rounded(toPlaces: 3)
    }

    /// An element of an integer or bool tensor; a limit value with probability `hostile`.
    static func integer(_ dtype: DType, _ hostile: Double, _ rng: inout FuzzRandom) -> Int64 {
        switch dtype {
        case .bool: return Int64(rng.below(2))
        case .int32 where rng.chance(hostile): return rng.pick([Int64(Int32.max), Int64(Int32.min), -1])
        case _ where rng.chance(hostile): return rng.pick(HostileValues.int64Elements)
        default: return Int64(rng.int(-3...5))
        }
    }

    /// An index into a dim of about `limit` entries.
    static func index(_ limit: Int, _ dtype: DType, _ rng: inout FuzzRandom) -> Int64 {
        if dtype == .bool { return Int64(rng.below(2)) }
        let roll = rng.unit()
        if roll < 0.85 { return Int64(rng.below(max(limit, 1))) }
        if roll < 0.95 { return rng.pick([-1, Int64(limit), -Int64(limit) - 1, -100]) }
        return dtype == .int32 ? rng.pick([Int64(Int32.max), Int64(Int32.min)]) : rng.pick(HostileValues.int64Positions)
    }
}

private extension Double {
    func rounded(toPlaces places: Int) -> Double {
        var scale = 1.0
        for _ in 0..<places { scale *= 10 }
        return (self * scale).rounded() / scale
    }
}
