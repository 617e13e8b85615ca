import SwiftTorchCore

/// Elementwise, creation, copy, shape and indexing kernels (filled in by the OpenMP work).
let elementwiseKernels: [(String, Kernel)] = []
