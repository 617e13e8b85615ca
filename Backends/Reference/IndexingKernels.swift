import SwiftTorchCore

// Indexing reference kernels. Meta checks index bounds on the CPU already; the kernels check
// again so that a bad index can only ever throw, never trap.

let indexingKernels: [(String, Kernel)] = [("index_select", indexSelectKernel), ("gather", gatherKernel)]

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
