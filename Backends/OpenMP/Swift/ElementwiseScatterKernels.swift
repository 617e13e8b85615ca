import COpenMPKernels
import SwiftTorchCore

// In-place copy and the scatter-style adjoints of indexing (index_add, scatter_add) of the
// OpenMP backend (C side: copy_convert.c, copy_scatter.c).

enum ElementwiseScatterOMP {
    static let kernels: [(String, Kernel)] = [("copy_", copyInPlace), ("index_add", indexAdd), ("scatter_add", scatterAdd)]

    private typealias E = ElementwiseOMP

    /// Writes `src` (meta cast it to self's dtype and broadcast it) into the view `self`.
    /// A source that shares self's storage is staged first, so overlapping views read the
    /// old values, as the reference (which reads everything before writing) does.
    private static let copyInPlace: Kernel = { call in
        let dst = call.arguments.tensor("self")
        var src = call.arguments.tensor("src")
        try E.require("copy_", [src], shape: dst.shape, dtype: dst.dtype)
        if src.storage === dst.storage {
            let staged = try Tensor(zerosOnCPU: src.shape, dtype: src.dtype)
            try copy(from: src, to: staged)
            src = staged
        }
        try copy(from: src, to: dst)
    }

    private static func copy(from src: Tensor, to dst: Tensor) throws {
        let status = StridedLoop.run(dst.shape, [StridedOperand(dst), StridedOperand(src)]) { g, p in
            st_ew_copy(StridedLoop.code(src.dtype), StridedLoop.code(dst.dtype), g, p[0], p[1])
        }
        try E.check("copy_", status, [src.dtype, dst.dtype])
    }

    /// `self` copied into the output, then `scale * src[p]` added at `index` along `dim`
    /// for every position p of the iteration shape (`shape`, whose dim `dim` is walked in
    /// order). Strides are per operand over `shape`.
    private static func scatter(_ op: String, base: Tensor, out: Tensor, dim: Int, shape: [Int],
                                src: Tensor, srcStrides: [Int], index: Tensor, indexStrides: [Int],
                                scale: ArgumentValue) throws {
        guard index.dtype == .int64 || index.dtype == .int32, src.dtype == out.dtype, base.shape == out.shape else {
            throw TorchError(.dtypeMismatch, "\(op): internal: index \(index.dtype), src \(src.dtype) for output \(out.dtype)\(describe(shape: out.shape))")
        }
        try copy(from: base, to: out)
        let rank = shape.count
        let rest = (0..<rank).filter { $0 != dim }
        let nDim = rank == 0 ? 1 : shape[dim]
        let outStrides = out.strides
        let operands = [StridedOperand(pointer: out.storage.data + out.offset * out.dtype.itemSize,
                                       strides: rest.map { outStrides[$0] }, itemSize: out.dtype.itemSize),
                        StridedOperand(src, strides: rest.map { srcStrides[$0] }),
                        StridedOperand(index, strides: rest.map { indexStrides[$0] })]
        let size = out.rank == 0 ? 1 : out.shape[dim], stride = out.rank == 0 ? 0 : outStrides[dim]
        let srcStep = rank == 0 ? 0 : srcStrides[dim], indexStep = rank == 0 ? 0 : indexStrides[dim]
        let alpha = E.scalar(scale) ?? 1, ialpha = E.integerScalar(scale) ?? 1
        var bad: Int64 = 0
        let status = StridedLoop.run(rest.map { shape[$0] }, operands) { g, p in
            // The wide accumulator covers the whole output, so pass its base, not p[0]
            // (p[0] differs from it only for ranks split beyond ST_MAX_DIMS).
            st_scatter_add(StridedLoop.code(out.dtype), StridedLoop.code(index.dtype), g, Int64(nDim),
                           Int64(srcStep), Int64(indexStep), p[0], Int64(out.count - operands[0].pointer.distance(to: p[0]) / out.dtype.itemSize),
                           p[1], p[2], Int64(size), Int64(stride), alpha, ialpha, &bad)
        }
        if status == 1 {
            throw TorchError(.indexOutOfRange, "\(op): index \(bad) is out of range for dimension \(dim) with size \(size) (self shape \(describe(shape: base.shape)))")
        }
        if status == -2 { throw TorchError(.invalidArgument, "\(op): out of memory for a \(out.count)-element accumulator") }
        try E.check(op, status, [out.dtype, index.dtype])
    }

    private static let indexAdd: Kernel = { call in
        let a = call.arguments
        let base = a.tensor("self"), index = a.tensor("index"), source = a.tensor("source"), out = call.output
        let d = base.rank == 0 ? 0 : a.int("dim")
        var expected = base.shape
        if base.rank > 0 { expected[d] = index.count }
        guard index.rank <= 1, source.shape == expected, base.rank > 0 || index.count == 1 else {
            throw TorchError(.shapeMismatch, "index_add: internal: source \(describe(shape: source.shape)), index \(describe(shape: index.shape)) for self \(describe(shape: base.shape))")
        }
        // The 1-D index runs along dim (stride 0 elsewhere); source is walked as it is.
        var indexStrides = [Int](repeating: 0, count: source.rank)
        if source.rank > 0 { indexStrides[d] = index.rank == 1 ? index.strides[0] : 0 }
        try scatter("index_add", base: base, out: out, dim: d, shape: source.shape, src: source, srcStrides: source.strides,
                    index: index, indexStrides: indexStrides, scale: a["alpha"])
    }

    private static let scatterAdd: Kernel = { call in
        let a = call.arguments
        let base = a.tensor("self"), index = a.tensor("index"), src = a.tensor("src"), out = call.output
        let d = a.int("dim")
        guard index.rank == base.rank, src.rank == base.rank,
              (0..<index.rank).allSatisfy({ index.shape[$0] <= src.shape[$0] && ($0 == d || index.shape[$0] <= base.shape[$0]) }) else {
            throw TorchError(.shapeMismatch, "scatter_add: internal: index \(describe(shape: index.shape)) does not fit src \(describe(shape: src.shape)) and self \(describe(shape: base.shape))")
        }
        // Only the index's extent of src takes part.
        try scatter("scatter_add", base: base, out: out, dim: d, shape: index.shape, src: src, srcStrides: src.strides,
                    index: index, indexStrides: index.strides, scale: .int(1))
    }
}
