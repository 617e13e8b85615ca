import CBLAS
import SwiftTorchCore

/// The element types OpenBLAS multiplies here: one generic kernel body serves both, and
/// this protocol picks `cblas_sgemm` or `cblas_dgemm`.
protocol GEMMScalar: BinaryFloatingPoint {
    /// Row-major C = alpha * op(A) * op(B) + beta * C, with sizes already checked to fit `blasint`.
    static func gemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Self,
                     a: UnsafePointer<Self>, lda: Int, b: UnsafePointer<Self>, ldb: Int,
                     beta: Self, c: UnsafeMutablePointer<Self>, ldc: Int)
}

private func flag(_ transposed: Bool) -> CBLAS_TRANSPOSE { transposed ? CblasTrans : CblasNoTrans }

extension Float: GEMMScalar {
    static func gemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float,
                     a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                     beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
        cblas_sgemm(CblasRowMajor, flag(transA), flag(transB), blasint(m), blasint(n), blasint(k),
                    alpha, a, blasint(lda), b, blasint(ldb), beta, c, blasint(ldc))
    }
}

extension Double: GEMMScalar {
    static func gemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Double,
                     a: UnsafePointer<Double>, lda: Int, b: UnsafePointer<Double>, ldb: Int,
                     beta: Double, c: UnsafeMutablePointer<Double>, ldc: Int) {
        cblas_dgemm(CblasRowMajor, flag(transA), flag(transB), blasint(m), blasint(n), blasint(k),
                    alpha, a, blasint(lda), b, blasint(ldb), beta, c, blasint(ldc))
    }
}

/// The largest size or leading dimension BLAS accepts (`blasint` is 32-bit in this build).
let blasIntMax = Int(blasint.max)

extension Tensor {
    /// The storage as typed elements (the dtype has been checked by the caller).
    func elements<T>(_: T.Type) -> UnsafeMutablePointer<T> {
        storage.data.assumingMemoryBound(to: T.self)
    }

    /// Copies this view's elements, row-major, to `destination` (room for `count` elements).
    func copyElements<T>(to destination: UnsafeMutablePointer<T>) {
        let source = elements(T.self)
        var i = 0
        forEachElementOffset { o in
            destination[i] = source[o]
            i += 1
        }
    }
}
