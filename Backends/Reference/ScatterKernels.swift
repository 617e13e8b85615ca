import SwiftTorchCore

/// In-place copy and the scatter-style adjoints of indexing (index_add, scatter_add).
let scatterKernels: [(String, Kernel)] = [
    ("copy_", { call in
        let dst = call.arguments.tensor("self"), src = call.arguments.tensor("src")
        if dst.dtype.isFloatingPoint { dst.setDoubleValues(src.doubleValues()) } else { dst.setInt64Values(src.int64Values()) }
    }),
    ("index_add", { call in
        let a = call.arguments
        let base = a.tensor("self"), index = a.tensor("index").int64Values(), source = a.tensor("source")
        let d = a.int("dim"), out = call.output
        let size = base.rank == 0 ? 1 : base.shape[d]
        try addAt(out, base: base, source: source, scale: a["alpha"]) { sourcePosition in
            // Along `dim`, source entry i lands on base entry index[i].
            var target = sourcePosition
            if base.rank > 0 {
                let i = index[sourcePosition[d]]
                target[d] = Int(i < 0 ? i + Int64(size) : i)
            }
            return target
        }
        _ = index.count
    }),
    ("scatter_add", { call in
        let a = call.arguments
        let base = a.tensor("self"), indexTensor = a.tensor("index"), d = a.int("dim")
        let index = indexTensor.int64Values()
        let src = a.tensor("src")
        // Only the index's extent of src takes part.
        let window = Tensor(uncheckedViewOf: src, shape: indexTensor.shape, strides: src.strides, offset: src.offset)
        let size = base.rank == 0 ? 1 : base.shape[d]
        let indexStrides = Tensor.contiguousStrides(for: indexTensor.shape)
        try addAt(call.output, base: base, source: window, scale: .int(1)) { position in
            var target = position
            if base.rank > 0 {
                let flat = zip(position, indexStrides).map(*).reduce(0, +)
                let i = index[flat]
                target[d] = Int(i < 0 ? i + Int64(size) : i)
            }
            return target
        }
    }),
]

/// out = base, then out[target(p)] += scale * source[p] for every position p of source.
/// `scale` is the call's Scalar, read exactly in each number domain: an integer alpha stays
/// an Int64 (an `Int64(Double)` of `Int.max` or `1e30` would trap), a float one converts by
/// the float-to-int rule.
private func addAt(_ out: Tensor, base: Tensor, source: Tensor, scale: ArgumentValue, target: ([Int]) -> [Int]) throws {
    let outStrides = Tensor.contiguousStrides(for: out.shape)
    let sourceShape = source.shape
    func flatTarget(_ p: [Int]) throws -> Int {
        let t = target(p)
        for (i, size) in out.shape.enumerated() where t[i] < 0 || t[i] >= size {
            throw TorchError(.indexOutOfRange, "index \(t[i]) is out of range for dimension \(i) with size \(size)")
        }
        return zip(t, outStrides).map(*).reduce(0, +)
    }
    var position = [Int](repeating: 0, count: sourceShape.count)
    func advance() {
        var d = sourceShape.count - 1
        while d >= 0 {
            position[d] += 1
            if position[d] < sourceShape[d] { return }
            position[d] = 0
            d -= 1
        }
    }
    if out.dtype.isFloatingPoint {
        var values = base.doubleValues()
        let s = ElementwiseSupport.doubleScalar(scale) ?? 1
        for v in source.doubleValues() { values[try flatTarget(position)] += s * v; advance() }
        out.setDoubleValues(values)
    } else {
        var values = base.int64Values()
        let s = ElementwiseSupport.int64Scalar(scale) ?? 1
        for v in source.int64Values() { values[try flatTarget(position)] &+= s &* v; advance() }
        out.setInt64Values(values)
    }
}
