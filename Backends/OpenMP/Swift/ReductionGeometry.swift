import COpenMPKernels
import SwiftTorchCore

/// One dimension of an `st_geom`: its size and each operand's stride along it (operands
/// the kernel does not use keep stride 0).
struct GeometryDim {
    var size: Int
    var strides: [Int]

    init(_ size: Int, _ strides: [Int]) {
        self.size = size
        self.strides = strides + [Int](repeating: 0, count: max(0, ReductionGeometry.operands - strides.count))
    }
}

/// Turns strided views into the outer/inner geometry the reduction, softmax and loss C
/// kernels walk (omp_reduce.h), and the small conversions every such kernel needs.
enum ReductionGeometry {
    static let operands = Int(ST_GEOM_OPERANDS)

    /// Drops size-1 dims and merges neighbours that every operand walks as one (outer stride
    /// = inner stride * inner size), so kernels see few, long dims. Order is kept.
    static func coalesce(_ dims: [GeometryDim]) -> [GeometryDim] {
        var out: [GeometryDim] = []
        for d in dims where d.size != 1 {
            if let last = out.last, last.size != 0, d.size != 0,
               (0..<operands).allSatisfy({ last.strides[$0] == d.strides[$0] * d.size }) {
                out[out.count - 1] = GeometryDim(last.size * d.size, d.strides)
            } else {
                out.append(d)
            }
        }
        return out
    }

    /// Splits `x` for a reduction over `dims` (dims beyond its rank reduce nothing): outer =
    /// the kept dims in output order; inner = the reduced ones, in row-major order, or, when
    /// the order of combination does not matter (`reorderInner`), by decreasing stride so
    /// that the innermost run is the densest.
    static func reduction(_ x: Tensor, reducing dims: [Int], reorderInner: Bool) -> (outer: [GeometryDim], inner: [GeometryDim]) {
        let reduced = Set(dims.filter { $0 >= 0 && $0 < x.rank })
        var outer: [GeometryDim] = [], inner: [GeometryDim] = []
        for d in 0..<x.rank {
            let dim = GeometryDim(x.shape[d], [x.strides[d]])
            if reduced.contains(d) { inner.append(dim) } else { outer.append(dim) }
        }
        if reorderInner {
            inner = inner.enumerated().sorted {
                abs($0.element.strides[0]) != abs($1.element.strides[0])
                    ? abs($0.element.strides[0]) > abs($1.element.strides[0]) : $0.offset < $1.offset
            }.map(\.element)
        }
        return (coalesce(outer), coalesce(inner))
    }

    /// Along one dim of `x` with a same-shaped contiguous output `out` (softmax, cumsum):
    /// operand 0 is the input, 1 the output; inner is exactly that dim.
    static func alongDim(_ x: Tensor, _ out: Tensor, dim: Int) -> (outer: [GeometryDim], inner: [GeometryDim]) {
        guard x.rank > 0 else { return ([], [GeometryDim(1, [0, 0])]) }
        var outer: [GeometryDim] = []
        for d in 0..<x.rank where d != dim { outer.append(GeometryDim(x.shape[d], [x.strides[d], out.strides[d]])) }
        return (coalesce(outer), [GeometryDim(x.shape[dim], [x.strides[dim], out.strides[dim]])])
    }

    /// Calls `body` with the C geometry. Throws when the dims do not fit (only a view with
    /// more than ST_GEOM_MAX_DIMS dims that cannot be merged).
    static func with<R>(outer: [GeometryDim], inner: [GeometryDim], _ op: String,
                        _ body: (UnsafePointer<st_geom>) throws -> R) throws -> R {
        var g = st_geom()
        st_geom_init(&g)
        var status: Int32 = 0
        for d in outer where status == 0 {
            status = d.strides.map(Int64.init).withUnsafeBufferPointer { st_geom_add_outer(&g, Int64(d.size), $0.baseAddress) }
        }
        for d in inner where status == 0 {
            status = d.strides.map(Int64.init).withUnsafeBufferPointer { st_geom_add_inner(&g, Int64(d.size), $0.baseAddress) }
        }
        try check(status, op)
        return try body(&g)
    }

    /// Maps a C status to a TorchError.
    static func check(_ status: Int32, _ op: String) throws {
        switch status {
        case 0: return
        case ST_ERR_RANK:
            throw TorchError(.notImplemented, "\(op): the openmp backend takes views of at most \(ST_GEOM_MAX_DIMS) non-mergeable dims; call contiguous() first")
        case ST_ERR_MEMORY:
            throw TorchError(.invalidArgument, "\(op): the openmp backend could not allocate scratch memory")
        case ST_ERR_INDEX:
            throw TorchError(.indexOutOfRange, "\(op): a target class index is out of range")
        default:
            throw TorchError(.invalidArgument, "internal: \(op): the openmp kernel rejected its arguments (status \(status))")
        }
    }

    /// The address of `t`'s first element, typed for a C kernel.
    static func pointer<T>(_ t: Tensor, _: T.Type) -> UnsafeMutablePointer<T> {
        (t.storage.data + t.offset * t.dtype.itemSize).assumingMemoryBound(to: T.self)
    }

    /// Where a kernel computing in `dtype` writes `out`'s values: `out` itself when it has
    /// that dtype; for an int64 computation with a bool output (amax/amin of bool), a fresh
    /// int64 scratch of its shape that ``narrowToBool(_:into:)`` copies back. Any other
    /// mismatch would let the C kernel write elements of the wrong width: an error.
    static func output(_ out: Tensor, computing dtype: DType, _ op: String) throws -> Tensor {
        if out.dtype == dtype { return out }
        guard dtype == .int64, out.dtype == .bool else {
            throw TorchError(.dtypeMismatch, "internal: \(op): the openmp kernel computes in \(dtype) but its output is \(out.dtype)\(describe(shape: out.shape))")
        }
        return try Tensor(zerosOnCPU: out.shape, dtype: .int64)
    }

    /// Writes the int64 values of contiguous `scratch` into the contiguous bool `out` (0 or 1).
    static func narrowToBool(_ scratch: Tensor, into out: Tensor) {
        let source = scratch.storage.data.assumingMemoryBound(to: Int64.self)
        let target = out.storage.data.assumingMemoryBound(to: UInt8.self) + out.offset
        for i in 0..<scratch.count { target[i] = source[i] != 0 ? 1 : 0 }
    }

    static func unsupported(_ op: String, _ dtype: DType) -> TorchError {
        TorchError(.noKernel, "\(op): the openmp backend has no \(dtype) kernel for this operator")
    }
}
