/// The element types a tensor can hold. `float32` is the default floating-point type.
public enum DType: String, Sendable, CaseIterable, CustomStringConvertible {
    /// PyTorch's `torch.bool`, `torch.int32`, `torch.int64`, `torch.float32` and `torch.float64`.
    case bool, int32, int64, float32, float64

    /// Bytes per element.
    @inlinable public var itemSize: Int {
        switch self {
        case .bool: 1
        case .int32, .float32: 4
        case .int64, .float64: 8
        }
    }

    /// Whether the type is float32 or float64.
    // Inlinable, as the two below: every elementwise call asks them while promoting.
    @inlinable public var isFloatingPoint: Bool { self == .float32 || self == .float64 }
    /// Whether the type is int32 or int64.
    @inlinable public var isInteger: Bool { self == .int32 || self == .int64 }
    /// The name, as `float32`.
    public var description: String { rawValue }

    /// The type PyTorch gives a floating-point value that meets no tensor of its kind.
    public static let defaultFloat: DType = .float32

    /// Promotion category: bool < integer < floating point. A higher category always wins.
    @inlinable public var category: Int {
        switch self {
        case .bool: 0
        case .int32, .int64: 1
        case .float32, .float64: 2
        }
    }

    /// The smallest type that holds both (PyTorch's `promote_types`).
    @inlinable public static func promote(_ a: DType, _ b: DType) -> DType {
        if a == b { return a }
        if a.category != b.category { return a.category > b.category ? a : b }
        return a.itemSize >= b.itemSize ? a : b
    }

    /// Parses PyTorch's spelling too (`torch.float32`, `float`, `long`).
    public init?(name: String) {
        let n = name.hasPrefix("torch.") ? String(name.dropFirst(6)) : name
        switch n {
        case "float32", "float": self = .float32
        case "float64", "double": self = .float64
        case "int32", "int": self = .int32
        case "int64", "long": self = .int64
        case "bool": self = .bool
        default: return nil
        }
    }
}

/// Where a tensor's storage lives.
public enum Device: Hashable, Sendable, CustomStringConvertible {
    /// Host memory.
    case cpu
    /// GPU number `n`, as PyTorch's `cuda:n`.
    case cuda(Int)

    /// The first GPU, as PyTorch's `"cuda"`.
    public static var cuda: Device { .cuda(0) }

    /// `cpu` or `cuda:N`, as PyTorch prints a device.
    public var description: String {
        switch self {
        case .cpu: "cpu"
        case .cuda(let i): "cuda:\(i)"
        }
    }

    /// Whether this is host memory.
    public var isCPU: Bool { self == .cpu }

    /// Parses `cpu`, `cuda`, `cuda:1`.
    public init?(name: String) {
        if name == "cpu" { self = .cpu; return }
        if name == "cuda" { self = .cuda(0); return }
        if name.hasPrefix("cuda:"), let i = Int(name.dropFirst(5)), i >= 0 { self = .cuda(i); return }
        return nil
    }
}
