import SwiftTorchCore

// Index arithmetic shared by reductions, softmax, cumsum and the classification losses.
// Kernels read a tensor's elements into a row-major array (`doubleValues()` or
// `int64Values()`, which honour strides) and address that array through a plan; outputs
// are contiguous, so a plan's output order is the output's element order.

/// Offsets (into a contiguous row-major array of `shape`) of every index combination over
/// `dims`, in row-major order of those dims; the other dims' indices stay 0. `dims` must be
/// ascending. A dim of size 0 gives no combinations; no dims give the single offset 0.
func rowMajorOffsets(shape: [Int], dims: [Int]) -> [Int] {
    let strides = Tensor.contiguousStrides(for: shape)
    var offsets = [0]
    // Each dim multiplies the list; appending its indices innermost keeps earlier dims
    // slowest-varying, i.e. row-major order.
    for d in dims {
        var next: [Int] = []
        next.reserveCapacity(offsets.count * shape[d])
        for base in offsets {
            for i in 0..<shape[d] { next.append(base + i * strides[d]) }
        }
        offsets = next
    }
    return offsets
}

/// Splits a row-major array of `shape` into groups: one group per output element (the kept
/// dims, row-major) holding the elements along the reduced dims (row-major among them).
/// Reduced dims need not be adjacent (sum over dims [0, 2]).
struct ReductionPlan {
    /// Offset of the first element of each group, in output order.
    let groupBases: [Int]
    /// Offset of each group member relative to its group's base.
    let memberOffsets: [Int]
    /// Number of elements of the whole (input) array.
    let elementCount: Int

    /// `dims` may contain dims ≥ rank: meta rules wrap `dim=0` of a 0-d tensor to 0, and
    /// such a dim reduces nothing.
    init(shape: [Int], reducing dims: [Int]) {
        let reduced = Set(dims.filter { $0 >= 0 && $0 < shape.count })
        let kept = (0..<shape.count).filter { !reduced.contains($0) }
        groupBases = rowMajorOffsets(shape: shape, dims: kept)
        memberOffsets = rowMajorOffsets(shape: shape, dims: reduced.sorted())
        elementCount = shape.reduce(1, *)
    }

    /// Number of elements in each group.
    var groupSize: Int { memberOffsets.count }

    /// The members of each group, in output order.
    func groups<T>(_ values: [T]) -> [[T]] {
        precondition(values.count == elementCount, "internal: \(values.count) values for a plan over \(elementCount)")
        return groupBases.map { base in memberOffsets.map { values[base + $0] } }
    }

    /// One result per group.
    func reduce<T, R>(_ values: [T], _ combine: ([T]) throws -> R) rethrows -> [R] {
        try groups(values).map(combine)
    }

    /// Replaces each group by `transform(group)` (same length), in place in the array's
    /// layout: softmax and cumsum along a dim.
    func transform<T>(_ values: [T], _ transform: ([T]) -> [T]) -> [T] {
        var out = values
        for (base, group) in zip(groupBases, groups(values)) {
            let result = transform(group)
            precondition(result.count == group.count, "internal: a transform changed a group's length")
            for (offset, v) in zip(memberOffsets, result) { out[base + offset] = v }
        }
        return out
    }
}

/// Position of the first largest (or smallest) member, or of the first NaN if there is one,
/// as PyTorch's max/min/argmax/argmin; nil for an empty group.
func extremumPosition<T: Comparable>(_ group: [T], largest: Bool) -> Int? {
    // `x != x` is true only for NaN; integers never take this branch.
    if let nan = group.firstIndex(where: { $0 != $0 }) { return nan }
    guard !group.isEmpty else { return nil }
    var best = 0
    // Strict comparison keeps the first of equal values.
    for i in group.indices where largest ? group[i] > group[best] : group[i] < group[best] {
        best = i
    }
    return best
}

/// Plain left-to-right sum in Double. Float32 inputs arrive as Double, so 100,000 terms
/// still carry about 11 correct digits; NaN and infinities propagate as IEEE says.
func doubleSum(_ values: [Double]) -> Double {
    var s = 0.0
    for v in values { s += v }
    return s
}

/// Integer sum as PyTorch's int64 accumulation: wraps on overflow, never traps.
func wrappingSum(_ values: [Int64]) -> Int64 {
    values.reduce(0, &+)
}

/// Writes one value into a 0-d (or one-element) output.
func storeScalar(_ value: Double, into t: Tensor) { t.setDoubleValues([value]) }
