/// Whether a backend can run here, and why not.
public enum Availability: Sendable, Equatable {
    /// The backend can run on this machine.
    case available
    /// The backend cannot run here, for the reason given (a missing library, no GPU).
    case unavailable(reason: String)

    /// Whether the backend can run here.
    public var isAvailable: Bool { self == .available }
}

/// A backend as the registry knows it: its name, the device it computes on, whether it can
/// run on this machine, and how it allocates memory for outputs.
/// A class: the dispatcher hands it along on every call, and a reference costs one retain
/// where a struct of strings, lists and closures cost one per field.
public final class BackendDescriptor: Sendable {
    /// The name users select it by, as in `SWIFTTORCH_BACKEND=openmp`.
    public let name: String
    /// `.cpu` for CPU backends; a GPU backend names its device family (`.cuda(0)`).
    public let deviceKind: Device
    /// Whether it can run on this machine, and why not.
    public let availability: Availability
    /// One-line facts for `swifttorch info` (thread counts, library versions).
    public let details: [String]
    /// Allocates `byteCount` bytes on `device`; CPU backends use host memory.
    public let allocate: @Sendable (_ byteCount: Int, _ device: Device) throws -> Storage
    /// Whether `allocate` is the host allocator itself, which the dispatcher then calls
    /// directly (no closure call on every output).
    public let allocatesHostMemory: Bool
    /// Operators this backend implements but leaves to the next backend of the default CPU
    /// chain, where that one was measured faster. A user who names this backend still gets
    /// its kernels.
    public let defersInDefaultChain: Set<String>

    /// A backend; CPU backends allocate host memory unless `allocate` says otherwise.
    public init(name: String, deviceKind: Device = .cpu, availability: Availability = .available,
                details: [String] = [], defersInDefaultChain: Set<String> = [],
                allocate: (@Sendable (Int, Device) throws -> Storage)? = nil) {
        self.name = name
        self.deviceKind = deviceKind
        self.availability = availability
        self.details = details
        self.defersInDefaultChain = defersInDefaultChain
        self.allocate = allocate ?? { bytes, _ in try .cpu(byteCount: bytes, zeroed: false) }
        self.allocatesHostMemory = allocate == nil
    }

    /// Whether this backend computes on `device`.
    public func serves(_ device: Device) -> Bool {
        switch (deviceKind, device) {
        case (.cpu, .cpu), (.cuda, .cuda): true
        default: false
        }
    }
}

/// One registered kernel: which backend, which dtypes (nil: all), and the function.
public struct KernelEntry: Sendable {
    /// The backend that registered the kernel.
    public let backend: String
    /// The dtypes it handles; nil for all of them.
    public let dtypes: Set<DType>?
    /// The function that computes the operator.
    public let kernel: Kernel

    /// Whether the kernel handles `dtype`.
    public func supports(_ dtype: DType) -> Bool { dtypes?.contains(dtype) ?? true }
}

/// A backend compiled into the library: it describes itself and registers its kernels at
/// start-up through the registry's public API, as a plugin does through its entry point.
public protocol BuiltinBackend: Sendable {
    /// The backend's name, device and availability.
    static var descriptor: BackendDescriptor { get }
    /// Registers the backend's kernels; called once, when the registry is first used.
    static func registerKernels(into registry: OperatorRegistry) throws
}
