import CMPIBridge
import SwiftTorch

/// A tensor's elements as one contiguous CPU block that MPI reads and writes: the tensor's
/// own memory when it is contiguous, else a contiguous copy that ``writeBack()`` copies into
/// the tensor afterwards.
struct CollectiveBuffer: @unchecked Sendable {
    /// The tensor the caller passed.
    let tensor: Tensor
    /// Its elements, contiguous: `tensor` itself or a copy.
    let staging: Tensor

    /// Checks that `tensor` can take part in `operation` (CPU, an MPI-sized count, a dtype
    /// MPI can reduce when `reduces`) and stages it.
    init(_ tensor: Tensor, for operation: String, reduces: Bool) throws {
        try CollectiveBuffer.check(tensor, operation, reduces: reduces)
        self.tensor = tensor
        staging = try tensor.contiguous()
    }

    static func check(_ tensor: Tensor, _ operation: String, reduces: Bool) throws {
        guard tensor.device.isCPU else {
            throw TorchError(.deviceMismatch, "\(operation): the tensor \(tensor.dtype)\(describe(shape: tensor.shape)) is on \(tensor.device); the MPI process group works on CPU tensors (move it with .to(.cpu))")
        }
        guard tensor.count <= Int(Int32.max) else {
            throw TorchError(.invalidArgument, "\(operation): the tensor \(tensor.dtype)\(describe(shape: tensor.shape)) has \(tensor.count) elements; one MPI call moves at most \(Int32.max)")
        }
        if reduces, tensor.dtype == .bool {
            throw TorchError(.dtypeMismatch, "\(operation): cannot reduce a bool tensor \(describe(shape: tensor.shape)); convert it to an integer dtype first")
        }
    }

    /// The first element of `staging`.
    var pointer: UnsafeMutableRawPointer { staging.storage.data + staging.offset * staging.dtype.itemSize }
    var count: Int32 { Int32(staging.count) }
    var mpiType: st_mpi_dtype { staging.dtype.mpiType }

    /// Divides the staged sum by `worldSize` for an average (integers rounding toward zero).
    func divideForAverage(_ op: ReduceOp, worldSize: Int) throws {
        guard op == .average, worldSize > 1 else { return }
        try withNoGrad {
            if staging.dtype.isFloatingPoint { try staging.div_(worldSize) } else { try staging.div_(worldSize, roundingMode: "trunc") }
        }
    }

    /// Puts the staged result into the caller's tensor: a copy when staging copied, else a
    /// version bump, since MPI wrote its memory behind autograd's back.
    func writeBack() throws {
        if staging === tensor {
            tensor.storage.bumpVersion()
        } else {
            try withNoGrad { _ = try tensor.copy_(staging) }
        }
    }
}

/// A raw pointer handed to the communication thread; the storage it points into is kept
/// alive by the job that captures it.
struct SendablePointer: @unchecked Sendable {
    let raw: UnsafeMutableRawPointer
}

extension DType {
    var mpiType: st_mpi_dtype {
        switch self {
        case .bool: ST_MPI_BOOL
        case .int32: ST_MPI_INT32
        case .int64: ST_MPI_INT64
        case .float32: ST_MPI_FLOAT32
        case .float64: ST_MPI_FLOAT64
        }
    }
}
