/// The library's version.
public enum SwiftTorchVersion {
    public static let string = "0.1.0"
}

/// The library's version, as PyTorch's `torch.__version__`: `print(SwiftTorch.version)`.
public let version = SwiftTorchVersion.string
