import CBLAS
import SwiftTorchCore

/// OpenBLAS for the matrix products (placeholder registration).
public enum BLASBackend: BuiltinBackend {
    public static let name = "blas"
    public static let descriptor = BackendDescriptor(name: name)
    public static func registerKernels(into registry: OperatorRegistry) throws {}
}
