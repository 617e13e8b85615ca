import COpenMPKernels
import SwiftTorchCore

/// Contiguous operands for the kernels that read whole image planes or rows (omp_nn.h):
/// a strided view is first copied by the backend's own strided copy, as PyTorch's CPU
/// convolution and pooling call `contiguous()`.
enum DenseOperands {
    static func contiguous(_ t: Tensor, _ op: String) throws -> Tensor {
        if t.isContiguous { return t }
        let copy = Tensor(uncheckedStorage: try .cpu(byteCount: t.count * t.dtype.itemSize, zeroed: false), shape: t.shape,
                          strides: Tensor.contiguousStrides(for: t.shape), offset: 0, dtype: t.dtype)
        let status = StridedLoop.run(t.shape, [StridedOperand(copy), StridedOperand(t)]) { g, p in
            st_ew_copy(StridedLoop.code(t.dtype), StridedLoop.code(t.dtype), g, p[0], p[1])
        }
        try ElementwiseOMP.check(op, status, [t.dtype])
        return copy
    }

    static func optional(_ t: Tensor?, _ op: String) throws -> Tensor? {
        try t.map { try contiguous($0, op) }
    }

    /// Calls the float32 or float64 variant of a C kernel, or reports the dtype.
    static func byDType(_ op: String, _ dtype: DType, float32: () -> Int32, float64: () -> Int32) throws {
        switch dtype {
        case .float32: try ReductionGeometry.check(float32(), op)
        case .float64: try ReductionGeometry.check(float64(), op)
        default: throw ReductionGeometry.unsupported(op, dtype)
        }
    }
}

/// A contiguous tensor's first element, typed for a C kernel.
func ptr<T>(_ t: Tensor) -> UnsafeMutablePointer<T> { ReductionGeometry.pointer(t, T.self) }

/// An optional operand's first element, or NULL, for a C kernel's nullable parameter.
func ptr<T>(_ t: Tensor?) -> UnsafeMutablePointer<T>? { t.map { ReductionGeometry.pointer($0, T.self) } }
