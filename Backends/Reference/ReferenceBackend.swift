import SwiftTorchCore

/// The oracle: plain Swift loops, written to be obviously right rather than fast. Other
/// backends are tested against it.
///
/// Kernels rely on the operators' meta rules (see `Sources/SwiftTorch/Ops`): inputs arrive
/// already promoted to one dtype and broadcast to the output's shape, dims are wrapped, and
/// outputs are allocated and contiguous. Floating-point math runs in `Double` and is rounded
/// once on store, so float32 results are the float64 reference rounded to float32.
public enum ReferenceBackend: BuiltinBackend {
    public static let name = "reference"
    public static let descriptor = BackendDescriptor(name: name, details: ["plain Swift loops; the oracle other backends are tested against"])

    /// Registers every reference kernel through the same API any backend uses.
    public static func registerKernels(into registry: OperatorRegistry) throws {
        for (op, kernel) in elementwiseKernels + creationKernels + shapeKernels + indexingKernels
            + reductionKernels + softmaxKernels + linalgKernels + lossKernels + scatterKernels
            + convolutionKernels + poolingKernels + normalizationKernels + embeddingKernels + inPlaceKernels
            + optimizerKernels + backwardKernels + sequenceKernels {
            try registry.register(kernel: WorkingMemory.guarded(op, kernel), for: op, backend: name)
        }
    }
}
