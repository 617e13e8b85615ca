import COpenMPKernels
import SwiftTorchCore

// mm, bmm, matmul, addmm and linear on the backend's own GEMM (omp_matmul.h). The meta
// rules have made both operands one dtype, canonicalised matmul to [batch..., m, k] x
// [batch..., k, n] views with equal batch dims, and broadcast addmm's `self` and linear's
// `bias` to the output's shape. Outputs are contiguous, laid out as [batch, m, n].

let openMPMatmulKernels: [(String, Kernel)] = [
    ("mm", { call in try product(call, "self", "mat2") }),
    ("bmm", { call in try product(call, "self", "mat2") }),
    ("matmul", { call in try product(call, "self", "other") }),
    ("addmm", addmmKernel),
    ("linear", linearKernel),
]

/// One operand of a batched product: the view's first element, per-batch element offsets
/// and the strides of its two matrix dims.
private struct MatrixOperand {
    var tensor: Tensor
    var offsets: [Int64]
    var rowStride: Int
    var columnStride: Int

    /// The last two dims of `t` are the matrix; the ones before it are the batch.
    init(batched t: Tensor) {
        tensor = t
        rowStride = t.strides[t.rank - 2]
        columnStride = t.strides[t.rank - 1]
        offsets = MatrixOperand.batchOffsets(shape: Array(t.shape.dropLast(2)), strides: Array(t.strides.dropLast(2)))
    }

    init(_ t: Tensor, offsets: [Int64], rowStride: Int, columnStride: Int) {
        tensor = t
        self.offsets = offsets
        self.rowStride = rowStride
        self.columnStride = columnStride
    }

    /// Offsets of every batch index, row-major (stride-0 broadcast dims repeat one matrix).
    static func batchOffsets(shape: [Int], strides: [Int]) -> [Int64] {
        var offsets: [Int64] = [0]
        for (size, stride) in zip(shape, strides) {
            offsets = offsets.flatMap { base in (0..<size).map { base + Int64($0 * stride) } }
        }
        return offsets
    }
}

/// out = a @ b for every batch index, on the packed GEMM.
private func gemm(_ op: String, _ a: MatrixOperand, _ b: MatrixOperand, m: Int, n: Int, k: Int, into out: Tensor) throws {
    precondition(a.offsets.count == b.offsets.count, "internal: \(op) operands disagree on the batch")
    try a.offsets.withUnsafeBufferPointer { ao in
        try b.offsets.withUnsafeBufferPointer { bo in
            var args = st_gemm_args(batch: Int64(ao.count), m: Int64(m), n: Int64(n), k: Int64(k),
                                    a_offsets: ao.baseAddress, b_offsets: bo.baseAddress,
                                    a_rs: Int64(a.rowStride), a_cs: Int64(a.columnStride),
                                    b_rs: Int64(b.rowStride), b_cs: Int64(b.columnStride))
            switch out.dtype {
            case .float32:
                try ReductionGeometry.check(st_gemm_f32(&args, ReductionGeometry.pointer(a.tensor, Float.self),
                                                        ReductionGeometry.pointer(b.tensor, Float.self),
                                                        ReductionGeometry.pointer(out, Float.self)), op)
            case .float64:
                try ReductionGeometry.check(st_gemm_f64(&args, ReductionGeometry.pointer(a.tensor, Double.self),
                                                        ReductionGeometry.pointer(b.tensor, Double.self),
                                                        ReductionGeometry.pointer(out, Double.self)), op)
            default:
                throw ReductionGeometry.unsupported(op, out.dtype)
            }
        }
    }
}

/// mm, bmm and matmul: after the meta rules, one batched product of [batch..., m, k] and
/// [batch..., k, n] views.
private func product(_ call: KernelCall, _ left: String, _ right: String) throws {
    let a = call.arguments.tensor(left), b = call.arguments.tensor(right)
    let op = call.arguments.schema.name
    guard a.rank >= 2, b.rank == a.rank, a.shape.dropLast(2) == b.shape.dropLast(2),
          a.shape[a.rank - 1] == b.shape[b.rank - 2] else {
        throw TorchError(.shapeMismatch, "internal: \(op) expects [batch..., m, k] x [batch..., k, n], got \(describe(shape: a.shape)) and \(describe(shape: b.shape))")
    }
    try gemm(op, MatrixOperand(batched: a), MatrixOperand(batched: b),
             m: a.shape[a.rank - 2], n: b.shape[b.rank - 1], k: a.shape[a.rank - 1], into: call.output)
}

/// out = alpha * out + beta * view (view: a strided tensor of out's shape), or
/// out = beta * view when there is no product (`product` false).
private func epilogue(_ op: String, _ out: Tensor, alpha: Double, product: Bool, _ view: Tensor?, beta: Double) throws {
    let shape = (view?.shape ?? []).map { Int64($0) }, strides = (view?.strides ?? []).map { Int64($0) }
    let status: Int32 = shape.withUnsafeBufferPointer { sp in
        strides.withUnsafeBufferPointer { tp in
            let n = Int64(out.count), p: Int32 = product ? 1 : 0, rank = Int32(shape.count)
            switch out.dtype {
            case .float32:
                return st_matmul_epilogue_f32(ReductionGeometry.pointer(out, Float.self), n, alpha, p,
                                              view.map { ReductionGeometry.pointer($0, Float.self) }, beta, rank, sp.baseAddress, tp.baseAddress)
            case .float64:
                return st_matmul_epilogue_f64(ReductionGeometry.pointer(out, Double.self), n, alpha, p,
                                              view.map { ReductionGeometry.pointer($0, Double.self) }, beta, rank, sp.baseAddress, tp.baseAddress)
            default:
                return ST_ERR_ARGUMENT
            }
        }
    }
    try ReductionGeometry.check(status, op)
}

/// beta * self + alpha * (mat1 @ mat2). As in PyTorch and BLAS, beta == 0 ignores `self`
/// (NaN in it does not propagate) and alpha == 0 skips the product.
private let addmmKernel: Kernel = { call in
    let args = call.arguments
    let a = args.tensor("mat1"), b = args.tensor("mat2"), c = args.tensor("self"), out = call.output
    let alpha = args.double("alpha"), beta = args.double("beta")
    if alpha != 0 {
        try gemm("addmm", MatrixOperand(batched: a), MatrixOperand(batched: b),
                 m: a.shape[0], n: b.shape[1], k: a.shape[1], into: out)
    }
    try epilogue("addmm", out, alpha: alpha, product: alpha != 0, beta == 0 ? nil : c, beta: beta)
}

/// input @ weight.T + bias over input's last dim. A 2-D weight [n, k] is read through its
/// transpose; a 1-D weight [k] as a [k, 1] column (the output then lacks that dim).
private let linearKernel: Kernel = { call in
    let args = call.arguments
    let x = args.tensor("input"), w = args.tensor("weight"), out = call.output
    let k = x.shape[x.rank - 1]
    let n = w.rank == 2 ? w.shape[0] : 1
    let weight = w.rank == 2
        ? MatrixOperand(w, offsets: [0], rowStride: w.strides[1], columnStride: w.strides[0])
        : MatrixOperand(w, offsets: [0], rowStride: w.strides[0], columnStride: 0)
    // The leading dims of the input are the rows: one row dim when they merge, else a batch
    // of [.., m] matrices (all sharing the weight).
    let lead = ReductionGeometry.coalesce((0..<(x.rank - 1)).map { GeometryDim(x.shape[$0], [x.strides[$0]]) })
    let input: MatrixOperand, m: Int
    if lead.count <= 1 {
        m = lead.first?.size ?? (x.shape.dropLast().contains(0) ? 0 : 1)
        input = MatrixOperand(x, offsets: [0], rowStride: lead.first?.strides[0] ?? 0, columnStride: x.strides[x.rank - 1])
    } else {
        m = lead[lead.count - 1].size
        let batch = MatrixOperand.batchOffsets(shape: lead.dropLast().map(\.size), strides: lead.dropLast().map { $0.strides[0] })
        input = MatrixOperand(x, offsets: batch, rowStride: lead[lead.count - 1].strides[0], columnStride: x.strides[x.rank - 1])
    }
    let shared = MatrixOperand(w, offsets: [Int64](repeating: 0, count: input.offsets.count),
                               rowStride: weight.rowStride, columnStride: weight.columnStride)
    try gemm("linear", input, shared, m: m, n: n, k: k, into: out)
    if let bias = args.optionalTensor("bias") {
        try epilogue("linear", out, alpha: 1, product: true, bias, beta: 1)
    }
}
