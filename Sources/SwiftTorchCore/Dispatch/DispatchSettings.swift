/// Process-wide dispatch settings, read once from the environment.
public struct DispatchSettings: Sendable {
    /// `SWIFTTORCH_BACKEND`: a backend name or comma-separated priority list.
    public var backendRequest: String?
    /// `SWIFTTORCH_FALLBACK=error`: a backend without a kernel is an error, not a fall-through.
    public var fallbackIsError: Bool
    /// `SWIFTTORCH_TRACE=1`: one line per call on standard error.
    public var trace: Bool
    /// `SWIFTTORCH_CHECK=reference`: every call is repeated on that backend and compared.
    public var crossCheck: CrossCheck?
    /// A kernel that runs an operator on the CPU with copies when a device backend lacks it
    /// (`SWIFTTORCH_CUDA_FALLBACK=cpu`); nil where that is not wanted.
    public var deviceFallback: (@Sendable (OperatorHandle, BackendDescriptor) -> Kernel?)?

    public init(backendRequest: String? = nil, fallbackIsError: Bool = false, trace: Bool = false, crossCheck: CrossCheck? = nil) {
        self.backendRequest = backendRequest
        self.fallbackIsError = fallbackIsError
        self.trace = trace
        self.crossCheck = crossCheck
    }

    /// Reads the `SWIFTTORCH_*` variables.
    public static func fromEnvironment(_ env: [String: String]) throws -> DispatchSettings {
        var s = DispatchSettings()
        s.backendRequest = env["SWIFTTORCH_BACKEND"]
        switch env["SWIFTTORCH_FALLBACK"]?.lowercased() {
        case nil, "", "next", "allow": s.fallbackIsError = false
        case "error": s.fallbackIsError = true
        case let other?:
            throw TorchError(.invalidArgument, "SWIFTTORCH_FALLBACK='\(other)' is not valid; use 'error' or leave it unset")
        }
        switch env["SWIFTTORCH_TRACE"]?.lowercased() {
        case nil, "", "0", "false", "no": s.trace = false
        case "1", "true", "yes": s.trace = true
        case let other?:
            throw TorchError(.invalidArgument, "SWIFTTORCH_TRACE='\(other)' is not valid; use 1 or 0")
        }
        return s
    }
}

/// Repeats every call on another backend and reports the first divergence
/// (`SWIFTTORCH_CHECK`). The comparison itself lives with the conformance rules.
public struct CrossCheck: Sendable {
    public let backend: String
    public let verify: @Sendable (OperatorHandle, Arguments, [Tensor], String) throws -> Void
    public init(backend: String, verify: @escaping @Sendable (OperatorHandle, Arguments, [Tensor], String) throws -> Void) {
        self.backend = backend
        self.verify = verify
    }
}
