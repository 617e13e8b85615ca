import Foundation
import BLASBackend
import OpenMPBackend
import ReferenceBackend
import SwiftTorchCore

/// The one operator registry of the process. Operators are declared into it when the
/// runtime starts; backends register kernels into it.
let operatorRegistry = OperatorRegistry()

/// The process's dispatcher, built on first use: it declares every operator, registers the
/// built-in backends, and reads the `SWIFTTORCH_*` environment.
public enum Runtime {
    /// Backend names SwiftTorch knows, whether or not they are built or available here.
    public static let knownBackendNames = ["reference", "openmp", "blas", "cuda"]
    /// CPU backends from best to plainest; `blas` has only the matrix products and lets
    /// every other operator fall through.
    public static let preferredCPUOrder = ["blas", "openmp", "reference"]

    /// Backends compiled into the library, registered at start-up in this order.
    static let builtinBackends: [any BuiltinBackend.Type] = [ReferenceBackend.self, OpenMPBackend.self, BLASBackend.self]

    private static let state: Result<Dispatcher, TorchError> = {
        OperatorCatalog.declareAll()
        do {
            for backend in builtinBackends {
                operatorRegistry.register(backend: backend.descriptor)
                try backend.registerKernels(into: operatorRegistry)
            }
            let environment = ProcessInfo.processInfo.environment
            // Plugins register into the same registry; a broken one is reported, never fatal.
            PluginLoader.loadDiscovered(environment: environment)
            var settings = try DispatchSettings.fromEnvironment(environment)
            // CachingAllocator.shared read SWIFTTORCH_ALLOCATOR at its first use; a bad value fails start-up here.
            _ = try AllocatorMode.fromEnvironment(environment)
            settings.deviceFallback = try DeviceFallback.provider(environment: environment)
            settings.crossCheck = try ReferenceCheck.fromEnvironment(environment["SWIFTTORCH_CHECK"])
            return .success(Dispatcher(registry: operatorRegistry, settings: settings,
                                       knownBackendNames: knownBackendNames, preferredCPUOrder: preferredCPUOrder,
                                       notice: { FileHandle.standardError.write(Data(($0 + "\n").utf8)) }))
        } catch let error as TorchError {
            return .failure(error)
        } catch {
            return .failure(TorchError(.backendUnavailable, "SwiftTorch failed to start: \(error)"))
        }
    }()

    /// The dispatcher every front-end call goes through; throws if start-up failed (for
    /// example, a malformed `SWIFTTORCH_FALLBACK`).
    public static func dispatcher() throws -> Dispatcher { try state.get() }

    /// The registry (operators, backends, kernels).
    public static var registry: OperatorRegistry {
        _ = state
        return operatorRegistry
    }

    /// Runs `body` with `backends` (a name or a comma-separated priority list) as the backend
    /// choice for this task, without touching the environment.
    public static func withBackend<R>(_ backends: String, _ body: () throws -> R) throws -> R {
        let priority = try resolvePriority(backends)
        // Already in force (SWIFTTORCH_BACKEND named the same list): no scope, whose
        // task-local every call inside would read.
        if priority.id == (try? dispatcher().priority())?.id { return try body() }
        return try BackendPriority.withScoped(priority, body)
    }

    /// Async form of ``withBackend(_:_:)``.
    public static func withBackend<R>(_ backends: String, isolation: isolated (any Actor)? = #isolation,
                                      _ body: () async throws -> R) async throws -> R {
        let priority = try resolvePriority(backends)
        if priority.id == (try? dispatcher().priority())?.id { return try await body() }
        return try await BackendPriority.withScoped(priority, isolation: isolation, body)
    }

    /// Resolves a backend request as `SWIFTTORCH_BACKEND` would be.
    public static func resolvePriority(_ request: String) throws -> BackendPriority {
        _ = try dispatcher()
        return try BackendPriority.resolve(request, backends: operatorRegistry.backends, knownNames: knownBackendNames,
                                           preferredCPUOrder: preferredCPUOrder)
    }

    /// The host allocator's counters (mode, bytes in use and cached, peak, hits and misses);
    /// ``CachingAllocator/shared`` has the controls (`emptyCache()`, `cacheLimit`).
    public static var allocatorStatistics: AllocatorStatistics { CachingAllocator.shared.statistics }

    /// The backend list in force for the current task.
    public static func activePriority() throws -> BackendPriority { try dispatcher().priority() }
}

/// Calls an operator through the dispatcher and returns its single output.
@inline(__always)
func dispatch(_ op: OperatorHandle, _ positional: consuming [ArgumentValue], _ keywords: [(String, ArgumentValue)] = []) throws -> Tensor {
    try Runtime.dispatcher().callFirst(op, positional, keywords)
}

/// Calls an operator with a value for every argument, in declaration order (keyword-only
/// ones included), and returns its single output: the typed API's cheapest binding.
@inline(__always)
func dispatch(_ op: OperatorHandle, slots: consuming [ArgumentValue]) throws -> Tensor {
    try Runtime.dispatcher().callFirst(op, slots: slots)
}

/// Calls an operator through the dispatcher and returns all of its outputs.
@inline(__always)
func dispatchAll(_ op: OperatorHandle, _ positional: consuming [ArgumentValue], _ keywords: [(String, ArgumentValue)] = []) throws -> [Tensor] {
    try Runtime.dispatcher().call(op, positional, keywords)
}

/// Declares an operator into the process's registry.
func declare(_ definition: OperatorDefinition) -> OperatorHandle {
    operatorRegistry.declare(definition)
}
