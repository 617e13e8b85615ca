import SwiftTorchCore

// The five matrix products on OpenBLAS. The meta rules (Sources/SwiftTorch/Ops/LinalgOps.swift)
// have checked shapes and dtypes, rewritten matmul's operands to [batch..., m, k] and
// [batch..., k, n] views with equal batch dims, and broadcast addmm's `self` and linear's
// `bias` to the output's shape. Outputs are contiguous, laid out as [batch, m, n].
// Semantics follow the reference backend: beta == 0 ignores `self` (NaN in it does not
// propagate), alpha == 0 skips the product, and an inner dimension of 0 still writes the
// output (zeros, or beta * self).

let blasLinalgKernels: [(String, Kernel)] = [
    ("mm", { call in try typed(call) { try plainProduct(call, "self", "mat2", $0) } }),
    ("bmm", { call in try typed(call) { try plainProduct(call, "self", "mat2", $0) } }),
    ("matmul", { call in try typed(call) { try plainProduct(call, "self", "other", $0) } }),
    ("addmm", { call in try typed(call) { try addmm(call, $0) } }),
    ("linear", { call in try typed(call) { try linear(call, $0) } }),
]

/// Runs `body` with the Swift type of the output's dtype.
private func typed(_ call: KernelCall, _ body: (any GEMMScalar.Type) throws -> Void) throws {
    switch call.output.dtype {
    case .float32: try body(Float.self)
    case .float64: try body(Double.self)
    default:
        throw TorchError(.dtypeMismatch, "internal: the blas backend was handed \(call.output.dtype); it registers float32 and float64 only")
    }
}

/// mm, bmm and matmul: after the meta rules all three are one batched product.
private func plainProduct<T: GEMMScalar>(_ call: KernelCall, _ left: String, _ right: String, _: T.Type) throws {
    let args = call.arguments
    try batchedGEMM(args.tensor(left), args.tensor(right), into: call.output.elements(T.self), alpha: 1, beta: 0)
}

/// beta * self + alpha * (mat1 @ mat2): `self` is copied into the output and BLAS scales it.
private func addmm<T: GEMMScalar>(_ call: KernelCall, _: T.Type) throws {
    let args = call.arguments
    let alpha = T(args.double("alpha")), beta = T(args.double("beta"))
    let c = call.output.elements(T.self)
    if beta != 0 { args.tensor("self").copyElements(to: c) }
    try batchedGEMM(args.tensor("mat1"), args.tensor("mat2"), into: c, alpha: alpha, beta: beta)
}

/// input @ weight.T + bias over input's last dim, as one batched product: input viewed as
/// [batch..., m, k], weight's transpose [k, n] broadcast over the batch (stride 0), so a
/// contiguous input folds into a single GEMM. A 1-D weight [k] is read as a [k, 1] column.
private func linear<T: GEMMScalar>(_ call: KernelCall, _: T.Type) throws {
    let args = call.arguments
    let x = args.tensor("input"), w = args.tensor("weight")
    let a = x.rank == 1 ? Tensor(uncheckedViewOf: x, shape: [1, x.shape[0]], strides: [0, x.strides[0]], offset: x.offset) : x
    let batch = Array(a.shape.dropLast(2)), zeros = [Int](repeating: 0, count: batch.count)
    let k = a.shape[a.rank - 1]
    let b = w.rank == 2
        ? Tensor(uncheckedViewOf: w, shape: batch + [k, w.shape[0]], strides: zeros + [w.strides[1], w.strides[0]], offset: w.offset)
        : Tensor(uncheckedViewOf: w, shape: batch + [k, 1], strides: zeros + [w.strides[0], 0], offset: w.offset)
    let c = call.output.elements(T.self)
    // The bias is already broadcast to the output's shape: the same row-major order.
    let bias = args.optionalTensor("bias")
    bias?.copyElements(to: c)
    try batchedGEMM(a, b, into: c, alpha: 1, beta: bias == nil ? 0 : 1)
}

/// C[i] = alpha * A[i] @ B[i] + beta * C[i] for every matrix i of the batch, where `a` is a
/// [batch..., m, k] view, `b` a [batch..., k, n] view and `c` a contiguous [batch, m, n]
/// array. With k == 0 or alpha == 0 no product is formed and C becomes beta * C.
func batchedGEMM<T: GEMMScalar>(_ a: Tensor, _ b: Tensor, into c: UnsafeMutablePointer<T>, alpha: T, beta: T) throws {
    let r = a.rank
    let m = a.shape[r - 2], k = a.shape[r - 1], n = b.shape[r - 1]
    let batch = a.shape.dropLast(2).reduce(1, *)
    let count = batch * m * n
    if count == 0 { return }
    if k == 0 || alpha == 0 {
        scale(c, count: count, by: beta)
        return
    }
    guard m <= blasIntMax, n <= blasIntMax, k <= blasIntMax else {
        throw TorchError(.invalidArgument, "matmul: a dimension of [\(m), \(k)] x [\(k), \(n)] exceeds BLAS's 32-bit sizes")
    }
    let lhs = GEMMOperand<T>(a), rhs = GEMMOperand<T>(b)
    // withExtendedLifetime: the scratch copies must outlive every GEMM that reads them.
    withExtendedLifetime((lhs, rhs)) {
        if let rows = foldedRows(lhs, rhs, batch: batch, m: m) {
            T.gemm(transA: false, transB: rhs.transposed, m: rows, n: n, k: k, alpha: alpha,
                   a: lhs.base + lhs.offsets[0], lda: lhs.ld, b: rhs.base + rhs.offsets[0], ldb: rhs.ld,
                   beta: beta, c: c, ldc: n)
            return
        }
        for i in 0..<batch {
            T.gemm(transA: lhs.transposed, transB: rhs.transposed, m: m, n: n, k: k, alpha: alpha,
                   a: lhs.base + lhs.offsets[i], lda: lhs.ld, b: rhs.base + rhs.offsets[i], ldb: rhs.ld,
                   beta: beta, c: c + i * m * n, ldc: n)
        }
    }
}

/// When every batch entry multiplies the same right-hand matrix and the left-hand matrices
/// are stacked row after row with one leading dimension (a contiguous `x @ W`, `linear`),
/// the batch is one GEMM with `batch * m` rows: far faster than many small calls.
private func foldedRows<T>(_ lhs: GEMMOperand<T>, _ rhs: GEMMOperand<T>, batch: Int, m: Int) -> Int? {
    guard batch > 1, !lhs.transposed, batch * m <= blasIntMax else { return nil }
    let first = rhs.offsets[0], start = lhs.offsets[0], step = m * lhs.ld
    for i in 1..<batch where rhs.offsets[i] != first || lhs.offsets[i] != start + i * step {
        return nil
    }
    return batch * m
}

/// C *= beta; beta == 0 assigns zeros, so NaN or garbage in C does not survive (as in BLAS).
private func scale<T: GEMMScalar>(_ c: UnsafeMutablePointer<T>, count: Int, by beta: T) {
    if beta == 1 { return }
    if beta == 0 {
        c.update(repeating: 0, count: count)
        return
    }
    for i in 0..<count { c[i] *= beta }
}
