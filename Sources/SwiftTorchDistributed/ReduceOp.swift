import CMPIBridge

/// How ``ProcessGroup/allReduce(_:op:)`` and ``ProcessGroup/reduceScatter(_:op:)`` combine
/// the ranks' elements, as PyTorch's `ReduceOp`.
public enum ReduceOp: Sendable, CustomStringConvertible {
    case sum
    /// The sum divided by the world size; integers are divided rounding toward zero (as
    /// PyTorch's NCCL backend does).
    case average
    case product
    case min
    case max

    public var description: String {
        switch self {
        case .sum: "sum"
        case .average: "average"
        case .product: "product"
        case .min: "min"
        case .max: "max"
        }
    }

    /// The MPI operation that computes it (an average is a sum, divided afterwards).
    var mpiOperation: st_mpi_op {
        switch self {
        case .sum, .average: ST_MPI_SUM
        case .product: ST_MPI_PRODUCT
        case .min: ST_MPI_MIN
        case .max: ST_MPI_MAX
        }
    }
}
