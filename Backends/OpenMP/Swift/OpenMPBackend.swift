import COpenMPKernels
import Foundation
import SwiftTorchCore

/// C kernels parallelised with OpenMP (LLVM libomp), vectorised and stride-aware.
public enum OpenMPBackend: BuiltinBackend {
    public static let name = "openmp"

    /// Threads for parallel regions: `SWIFTTORCH_NUM_THREADS`, else `OMP_NUM_THREADS`
    /// (which libomp reads itself), else every core; bad values are ignored and reported.
    static var threadCount: Int { OpenMPEnvironment.setup.threads }

    /// Whether the matrix products run a vector micro-kernel (AVX2 or AVX-512) on this CPU,
    /// rather than the portable one, which no optimised BLAS would lose to.
    public static var hasVectorGEMM: Bool { String(cString: st_gemm_kernel_name()) != "portable" }

    public static var descriptor: BackendDescriptor {
        // Outputs come from the caching allocator, unzeroed; it maps large blocks with huge
        // pages itself (see SystemMemory.mappedThreshold).
        BackendDescriptor(name: name, details: ["threads: \(threadCount) (SWIFTTORCH_NUM_THREADS, else OMP_NUM_THREADS, else all cores)"]
            + OpenMPEnvironment.setup.notices)
    }

    public static func registerKernels(into registry: OperatorRegistry) throws {
        _ = OpenMPEnvironment.setup
        for (op, kernel) in elementwiseKernels + reductionKernels {
            try registry.register(kernel: kernel, for: op, backend: name, dtypes: [.float32, .float64])
        }
        // These reductions also have int64 paths (wrapping sums and products, as PyTorch).
        let integerReductions: Set = ["sum", "prod", "amax", "amin", "max", "min", "argmax", "argmin", "cumsum"]
        for (op, kernel) in reductionKernels where integerReductions.contains(op) {
            try registry.register(kernel: kernel, for: op, backend: name, dtypes: [.int64])
        }
        for (op, kernel) in convolutionKernels(gemm: .openMP) + openMPPoolingKernels + openMPNormalizationKernels + openMPBackwardKernels {
            try registry.register(kernel: kernel, for: op, backend: name, dtypes: [.float32, .float64])
        }
        // embedding copies rows of any dtype; one_hot reads and writes int64.
        for (op, kernel) in openMPEmbeddingKernels {
            let dtypes: Set<DType>? = switch op {
            case "embedding": nil
            case "one_hot": [.int64]
            default: [.float32, .float64]
            }
            try registry.register(kernel: kernel, for: op, backend: name, dtypes: dtypes)
        }
        // Integer arithmetic wraps and integer division by zero throws, as in the reference.
        for (op, kernel) in elementwiseIntegerKernels {
            try registry.register(kernel: kernel, for: op, backend: name, dtypes: [.bool, .int32, .int64])
        }
        for (op, kernel) in InPlaceOMP.kernels {
            let integers: Set<DType> = !InPlaceOMP.integerOps.contains(op) ? [] : op == "addcmul_" ? [.int32, .int64] : [.bool, .int32, .int64]
            try registry.register(kernel: kernel, for: op, backend: name, dtypes: integers.union([.float32, .float64]))
        }
        for (op, kernel) in SequenceOMP.floatKernels {
            try registry.register(kernel: kernel, for: op, backend: name, dtypes: [.float32, .float64])
        }
        for (op, kernel) in SequenceOMP.anyDTypeKernels {
            try registry.register(kernel: kernel, for: op, backend: name, dtypes: [.bool, .int32, .int64, .float32, .float64])
        }
        for (op, kernel) in OptimizerOMP.kernels {
            try registry.register(kernel: kernel, for: op, backend: name, dtypes: [.float32, .float64])
        }
    }
}
