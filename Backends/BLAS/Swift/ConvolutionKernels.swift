import COpenMPKernels
import OpenMPBackend
import SwiftTorchCore

// conv2d and its backward operators: the openmp backend's im2col lowering (omp_nn.h) with
// OpenBLAS doing the matrix products. The lowering calls the product from the dispatching
// thread, outside any OpenMP region, as OpenBLAS's own thread pool requires.

extension ConvolutionGEMM {
    static let openBLAS = ConvolutionGEMM(float32: { batchedGEMM($0, $1, $2, $3) }, float64: { batchedGEMM($0, $1, $2, $3) })
}

/// `st_gemm`'s contract (omp_matmul.h) on OpenBLAS: C[i] = A[i] B[i] for each batch entry,
/// C contiguous. The lowering gives every operand a unit stride in one of its dims, so BLAS
/// reads each in place (a transposed view as a transpose flag).
private func batchedGEMM<T: GEMMScalar>(_ args: UnsafePointer<st_gemm_args>?, _ a: UnsafePointer<T>?, _ b: UnsafePointer<T>?,
                                        _ c: UnsafeMutablePointer<T>?) -> Int32 {
    guard let g = args?.pointee, let a, let b, let c else { return ST_ERR_ARGUMENT }
    let (batch, m, n, k) = (Int(g.batch), Int(g.m), Int(g.n), Int(g.k))
    guard batch > 0, m > 0, n > 0 else { return 0 }
    guard k > 0 else {
        c.initialize(repeating: 0, count: batch * m * n)
        return 0
    }
    guard max(m, n, k) <= blasIntMax,
          let left = blasLayout(rows: m, cols: k, rs: Int(g.a_rs), cs: Int(g.a_cs)),
          let right = blasLayout(rows: k, cols: n, rs: Int(g.b_rs), cs: Int(g.b_cs)) else { return ST_ERR_ARGUMENT }
    for i in 0..<batch {
        T.gemm(transA: left.transposed, transB: right.transposed, m: m, n: n, k: k, alpha: 1,
               a: a + Int(g.a_offsets[i]), lda: left.ld, b: b + Int(g.b_offsets[i]), ldb: right.ld,
               beta: 0, c: c + i * m * n, ldc: n)
    }
    return 0
}
