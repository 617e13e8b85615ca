/// Process-wide dispatch settings, read once from the environment.
public struct DispatchSettings: Sendable {
    /// `SWIFTTORCH_BACKEND`: a backend name or comma-separated priority list.
    public var backendRequest: String?
    /// `SWIFTTORCH_FALLBACK=error`: a backend without a kernel is an error, not a fall-through.
    public var fallbackIsError: Bool
    /// `SWIFTTORCH_TRACE`: one line per call (`1`), or a per-operator summary at exit
    /// (`summary`), on standard error.
    public var trace: TraceMode
    /// `SWIFTTORCH_CHECK=reference`: every call is repeated on that backend and compared.
    public var crossCheck: CrossCheck?
    /// A kernel that runs an operator on the CPU with copies when a device backend lacks it
    /// (`SWIFTTORCH_CUDA_FALLBACK=cpu`); nil where that is not wanted.
    public var deviceFallback: (@Sendable (OperatorHandle, BackendDescriptor) -> Kernel?)?

    /// Settings as given; ``DispatchSettings`` read from the environment is what the library uses.
    public init(backendRequest: String? = nil, fallbackIsError: Bool = false, trace: TraceMode = .off, crossCheck: CrossCheck? = nil) {
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
        s.trace = try TraceMode(environment: env["SWIFTTORCH_TRACE"])
        return s
    }
}

/// What `SWIFTTORCH_TRACE` asks the dispatcher to report about the kernel calls it makes.
public enum TraceMode: String, Sendable, CaseIterable {
    /// Nothing (unset, empty, `0`, `false`, `no`, `off`).
    case off
    /// One line per call: operator, backend, input shapes and dtypes, time (`1`, `true`,
    /// `yes`, `calls`).
    case calls
    /// Per operator and backend: calls, total and mean time, sorted by total time, printed
    /// once when the process exits (`summary`).
    case summary

    /// The accepted spellings, for the error message and the documentation.
    public static let accepted = "1/true/yes/calls, summary, or 0/false/no/off (or unset)"

    /// Reads a `SWIFTTORCH_TRACE` value, case-insensitively; anything else is an error that
    /// lists the accepted values.
    public init(environment value: String?) throws {
        switch value?.lowercased() {
        case nil, "", "0", "false", "no", "off": self = .off
        case "1", "true", "yes", "calls": self = .calls
        case "summary": self = .summary
        case let other?:
            throw TorchError(.invalidArgument, "SWIFTTORCH_TRACE='\(other)' is not valid; use \(TraceMode.accepted)")
        }
    }
}

/// Repeats every call on another backend and reports the first divergence
/// (`SWIFTTORCH_CHECK`). The comparison itself lives with the conformance rules.
public struct CrossCheck: Sendable {
    /// The backend every call is repeated on.
    public let backend: String
    /// Compares a call's outputs with the repeat's and throws on divergence: the operator, its
    /// arguments, the outputs, the backend that made them.
    public let verify: @Sendable (OperatorHandle, Arguments, [Tensor], String) throws -> Void
    /// A check against `backend` with the comparison `verify`.
    public init(backend: String, verify: @escaping @Sendable (OperatorHandle, Arguments, [Tensor], String) throws -> Void) {
        self.backend = backend
        self.verify = verify
    }
}
