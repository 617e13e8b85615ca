import CBLAS
import OpenMPBackend
import SwiftTorchCore

/// OpenBLAS for the matrix products (`mm`, `bmm`, `matmul`, `addmm`, `linear`) and for
/// what builds on them (`conv2d` and its backward operators, lowered by the openmp
/// backend's im2col), in float32 and float64. It registers nothing else: every other
/// operator, and these in other dtypes, fall through to the next backend in the priority list.
///
/// Debian's OpenBLAS is the pthread build, with its own thread pool; the kernels call it
/// from the dispatching thread only, never from inside an OpenMP parallel region.
public enum BLASBackend: BuiltinBackend {
    public static let name = "blas"

    /// Registered once at start-up; the details are what `swifttorch info` prints.
    public static var descriptor: BackendDescriptor {
        BackendDescriptor(name: name, details: [
            "\(cString(openblas_get_config())) (core \(cString(openblas_get_corename())))",
            "threads: \(openblas_get_num_threads()) (OPENBLAS_NUM_THREADS, else every core)",
            "kernels: mm, bmm, matmul, addmm, linear, conv2d (+ backward) (float32, float64); other operators fall through",
        ], defersInDefaultChain: OpenMPBackend.hasVectorGEMM ? convolutionOperators.union(productOperators) : convolutionOperators)
    }

    /// The matrix products. Where the openmp GEMM has a vector micro-kernel it matches or
    /// beats OpenBLAS on this machine at every size measured (64x512x128 to 1024^3, float32
    /// and float64; `Docs/benchmarks.md`), and it shares libomp's threads with the kernels
    /// around it: OpenBLAS's own pthreads spin on the same cores while libomp's workers do
    /// (an LSTM step, a product and a gate kernel per time step, ran 1.3-1.5x slower on
    /// the default chain than on openmp). So the default chain takes them from openmp too.
    static var productOperators: Set<String> { Set(blasLinalgKernels.map(\.0)) }

    /// The convolution lowering is the openmp backend's with OpenBLAS's GEMM in place of its
    /// own; on the small, many-tap products of a training step the openmp GEMM is the
    /// faster one (digits CNN: 4.5 s against 6.6 s, `Docs/benchmarks.md`), so the default
    /// chain takes convolutions from openmp. `SWIFTTORCH_BACKEND=blas` still runs these.
    static var convolutionOperators: Set<String> { Set(OpenMPBackend.convolutionKernels(gemm: .openBLAS).map(\.0)) }

    public static func registerKernels(into registry: OperatorRegistry) throws {
        for (op, kernel) in blasLinalgKernels + OpenMPBackend.convolutionKernels(gemm: .openBLAS) {
            try registry.register(kernel: kernel, for: op, backend: name, dtypes: [.float32, .float64])
        }
    }

    private static func cString(_ p: UnsafeMutablePointer<CChar>?) -> String {
        p.map { String(cString: $0) }?.trimmingCharacters(in: " ") ?? "?"
    }
}

extension String {
    /// Foundation-free trimming, so the backend needs nothing beyond the core.
    fileprivate func trimmingCharacters(in set: Character) -> String {
        String(drop(while: { $0 == set }).reversed().drop(while: { $0 == set }).reversed())
    }
}
