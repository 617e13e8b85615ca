import SwiftTorchCore

// Indexing reference kernels. Meta checks index bounds on the CPU already; the kernels check
// again so that a bad index can only ever throw, never trap.

let indexingKernels: [(String, Kernel)] = [("index_select", indexSelectKernel), ("gather", gatherKernel),
                                           ("index", advancedIndexKernel), ("index_put_", advancedIndexPutKernel)]

/// `index` wrapped into `0..<size` (negative values count from the end), or an error.
private func wrapIndex(_ op: String, _ index: Int64, size: Int, dim: Int, shape: [Int]) throws -> Int {
    let n = Int64(size)
    guard index >= -n, index < n else {
        throw TorchError(.indexOutOfRange, "\(op): index \(index) is out of range for dimension \(dim) with size \(size) (self shape \(describe(shape: shape)))")
    }
    return Int(index < 0 ? index + n : index)
}

/// Reads `self` in its exact number domain, lets `pick` map output positions to positions in
/// `self`'s row-major elements, and writes the output.
private func copyPicked(from x: Tensor, to out: Tensor, _ pick: () throws -> [Int]) throws {
    if out.dtype.isFloatingPoint {
        let values = x.doubleValues()
        out.setDoubleValues(try pick().map { values[$0] })
    } else {
        let values = x.int64Values()
        out.setInt64Values(try pick().map { values[$0] })
    }
}

/// Viewing `self` as [outer, size, inner] with `size` along `dim`, the output is
/// [outer, k, inner] with `out[o, j, i] = self[o, index[j], i]`. A 0-d `self` acts as [1].
private let indexSelectKernel: Kernel = { call in
    let x = call.arguments.tensor("self"), out = call.output
    let index = call.arguments.tensor("index").int64Values()
    let d = x.rank == 0 ? 0 : call.arguments.int("dim")
    guard d >= 0, d < Swift.max(x.rank, 1) else {
        throw TorchError(.dimOutOfRange, "index_select: internal: dim \(d) for self of shape \(describe(shape: x.shape))")
    }
    let size = x.rank == 0 ? 1 : x.shape[d]
    let outer = x.rank == 0 ? 1 : x.shape[..<d].reduce(1, *)
    let inner = x.rank == 0 ? 1 : x.shape[(d + 1)...].reduce(1, *)
    // Check every index even when the output is empty, as PyTorch does.
    let rows = try index.map { try wrapIndex("index_select", $0, size: size, dim: d, shape: x.shape) }
    if x.rank == 0 && rows.count != 1 {
        throw TorchError(.invalidArgument, "index_select: a 0-d self takes exactly one index, got \(rows.count)")
    }
    guard outer * rows.count * inner == out.count else {
        throw TorchError(.shapeMismatch, "index_select: internal: \(rows.count) indices into self \(describe(shape: x.shape)) do not fill the output \(describe(shape: out.shape))")
    }
    try copyPicked(from: x, to: out) {
        var positions: [Int] = []
        positions.reserveCapacity(out.count)
        for o in 0..<outer {
            for r in rows {
                let base = (o * size + r) * inner
                positions.append(contentsOf: base..<(base + inner))
            }
        }
        return positions
    }
}

/// `out[p] = self[p with p[dim] replaced by index[p]]` for every position `p` of `index`
/// (the output has `index`'s shape). A 0-d `self` has one element, which every valid index
/// (0 or -1) selects.
private let gatherKernel: Kernel = { call in
    let x = call.arguments.tensor("self"), out = call.output
    let indexTensor = call.arguments.tensor("index")
    let index = indexTensor.int64Values()
    let d = call.arguments.int("dim")
    guard index.count == out.count else {
        throw TorchError(.shapeMismatch, "gather: internal: index \(describe(shape: indexTensor.shape)) does not match the output \(describe(shape: out.shape))")
    }
    if x.rank == 0 {
        for i in index { _ = try wrapIndex("gather", i, size: 1, dim: 0, shape: x.shape) }
        try copyPicked(from: x, to: out) { [Int](repeating: 0, count: index.count) }
        return
    }
    let shape = indexTensor.shape
    guard d >= 0, d < x.rank, shape.count == x.rank,
          (0..<x.rank).allSatisfy({ $0 == d || shape[$0] <= x.shape[$0] }) else {
        throw TorchError(.shapeMismatch, "gather: index \(describe(shape: shape)) does not fit self \(describe(shape: x.shape)) at dim \(d)")
    }
    let strides = Tensor.contiguousStrides(for: x.shape)
    try copyPicked(from: x, to: out) {
        var positions: [Int] = []
        positions.reserveCapacity(index.count)
        // Walk the index's positions in row-major order with an odometer.
        var p = [Int](repeating: 0, count: shape.count)
        for value in index {
            var offset = try wrapIndex("gather", value, size: x.shape[d], dim: d, shape: x.shape) * strides[d]
            for i in 0..<p.count where i != d { offset += p[i] * strides[i] }
            positions.append(offset)
            var k = p.count - 1
            while k >= 0 {
                p[k] += 1
                if p[k] < shape[k] { break }
                p[k] = 0
                k -= 1
            }
        }
        return positions
    }
}

/// Row-major offsets in `self` of the rows that advanced indexing picks: meta has broadcast
/// the index tensors to one shape, so position `b` of every index tensor names one row of
/// the dims they leave alone (`inner` elements long), starting at the returned offset.
private func advancedRowStarts(_ op: String, _ call: KernelCall) throws -> (starts: [Int], inner: Int) {
    let x = call.arguments.tensor("self"), indices = call.arguments.tensorList("indices")
    guard let first = indices.first, indices.count <= x.rank, indices.allSatisfy({ $0.shape == first.shape }) else {
        throw TorchError(.shapeMismatch, "\(op): internal: index tensors were not broadcast to one shape for self \(describe(shape: x.shape))")
    }
    let strides = Tensor.contiguousStrides(for: x.shape)
    var starts = [Int](repeating: 0, count: first.count)
    for (d, index) in indices.enumerated() {
        for (b, value) in index.int64Values().enumerated() {
            starts[b] += try wrapIndex(op, value, size: x.shape[d], dim: d, shape: x.shape) * strides[d]
        }
    }
    return (starts, x.shape[indices.count...].reduce(1, *))
}

/// `out[b, r] = self[indices[0][b], indices[1][b], ..., r]`, `r` running over the dims not indexed.
private let advancedIndexKernel: Kernel = { call in
    let x = call.arguments.tensor("self"), out = call.output
    let (starts, inner) = try advancedRowStarts("index", call)
    guard starts.count * inner == out.count else {
        throw TorchError(.shapeMismatch, "index: internal: \(starts.count) rows of \(inner) do not fill the output \(describe(shape: out.shape))")
    }
    try copyPicked(from: x, to: out) { starts.flatMap { $0..<($0 + inner) } }
}

/// `self[indices..., r] = values[b, r]` (or `+=` with `accumulate`), in the order of `b`, so
/// that the last write to a repeated position wins. Every value is read before any is written.
private let advancedIndexPutKernel: Kernel = { call in
    let x = call.arguments.tensor("self"), values = call.arguments.tensor("values")
    let accumulate = call.arguments.bool("accumulate")
    let (starts, inner) = try advancedRowStarts("index_put_", call)
    guard starts.count * inner == values.count else {
        throw TorchError(.shapeMismatch, "index_put_: internal: values \(describe(shape: values.shape)) were not broadcast to the \(starts.count) rows of \(inner) they fill")
    }
    func write<T>(_ current: [T], _ source: [T], _ add: (T, T) -> T) -> [T] {
        var result = current
        for (b, start) in starts.enumerated() {
            for r in 0..<inner {
                result[start + r] = accumulate ? add(result[start + r], source[b * inner + r]) : source[b * inner + r]
            }
        }
        return result
    }
    if x.dtype.isFloatingPoint {
        x.setDoubleValues(write(x.doubleValues(), values.doubleValues(), +))
    } else if x.dtype == .bool {
        // Adding bools is a logical or, as PyTorch's index_put_ with accumulate does.
        x.setInt64Values(write(x.int64Values(), values.int64Values()) { $0 != 0 || $1 != 0 ? 1 : 0 })
    } else {
        x.setInt64Values(write(x.int64Values(), values.int64Values(), &+))
    }
}
