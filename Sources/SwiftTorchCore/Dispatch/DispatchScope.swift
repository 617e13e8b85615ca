import Synchronization

/// What a block of code overrides in the dispatcher's configuration, for its task only:
/// the backend list, `SWIFTTORCH_FALLBACK`, and the one operator that fallback applies to.
///
/// One task-local holds all three because reading task-local storage costs about 140
/// instructions, several percent of a small call: a call reads this once, where three
/// separate task-locals cost a read each, and none at all in a process that never sets a
/// scope. Set it through
/// ``BackendPriority/withScoped(_:_:)``, ``Dispatcher/withFallbackIsError(_:_:)`` and
/// ``Dispatcher/withStrictOperator(_:_:)``; each keeps the other two settings as they are.
public struct DispatchScope: Sendable {
    /// The backend list in force, in place of the process-wide one; nil: the process's.
    public var priority: BackendPriority?
    /// `SWIFTTORCH_FALLBACK=error` (true) or fall-through (false); nil: the environment's.
    public var fallbackIsError: Bool?
    /// Limits fallback-as-error to this operator (the conformance runner's operator under
    /// test); nil: every operator.
    public var strictOperator: String?

    /// An empty set of overrides.
    public init() {}

    /// The current task's overrides; none outside every scope.
    public static var current: DispatchScope { stored ?? DispatchScope() }

    /// The current task's overrides, nil outside every scope. Until some code first sets a
    /// scope no task can hold one, so the task-local storage is not even read.
    static var stored: DispatchScope? {
        guard scopeWasSet.load(ordering: .acquiring) else { return nil }
        return taskLocal
    }

    @TaskLocal private static var taskLocal: DispatchScope?
    private static let scopeWasSet = Atomic<Bool>(false)

    /// Runs `body` with `scope` as the current task's overrides (a worker thread adopting
    /// the overrides of the code that started it).
    public static func with<R>(_ scope: DispatchScope, _ body: () throws -> R) rethrows -> R {
        scopeWasSet.store(true, ordering: .releasing)
        return try $taskLocal.withValue(scope, operation: body)
    }

    /// Runs `body` with `change` applied to the current overrides.
    static func with<R>(_ change: (inout DispatchScope) -> Void, _ body: () throws -> R) rethrows -> R {
        var scope = current
        change(&scope)
        return try with(scope, body)
    }

    /// Async form of ``with(_:_:)``.
    static func with<R>(_ change: (inout DispatchScope) -> Void, isolation: isolated (any Actor)?,
                        _ body: () async throws -> R) async rethrows -> R {
        var scope = current
        change(&scope)
        scopeWasSet.store(true, ordering: .releasing)
        return try await $taskLocal.withValue(scope, operation: body, isolation: isolation)
    }
}

extension BackendPriority {
    /// A backend list chosen for a block of code, in place of the process-wide one.
    public static var scoped: BackendPriority? { DispatchScope.current.priority }

    /// Runs `body` with `priority` as the backend list of this task (nil: the process's).
    public static func withScoped<R>(_ priority: BackendPriority?, _ body: () throws -> R) rethrows -> R {
        try DispatchScope.with({ $0.priority = priority }, body)
    }

    /// Async form of ``withScoped(_:_:)``.
    public static func withScoped<R>(_ priority: BackendPriority?, isolation: isolated (any Actor)? = #isolation,
                                     _ body: () async throws -> R) async rethrows -> R {
        try await DispatchScope.with({ $0.priority = priority }, isolation: isolation, body)
    }
}

extension Dispatcher {
    /// Overrides `SWIFTTORCH_FALLBACK` for a block of code (tests of a backend's own coverage).
    public static var scopedFallbackIsError: Bool? { DispatchScope.current.fallbackIsError }

    /// Runs `body` with `SWIFTTORCH_FALLBACK=error` on (true) or off (false) for this task;
    /// nil: as the environment says.
    public static func withFallbackIsError<R>(_ isError: Bool?, _ body: () throws -> R) rethrows -> R {
        try DispatchScope.with({ $0.fallbackIsError = isError }, body)
    }

    /// Limits `SWIFTTORCH_FALLBACK=error` to one operator: the conformance runner checks the
    /// operator under test on its backend while the operators it uses inside (casts in meta
    /// rules, gradient formulas, composites) may still fall through.
    public static var strictOperator: String? { DispatchScope.current.strictOperator }

    /// Runs `body` with fallback-as-error limited to operator `name` (nil: every operator).
    public static func withStrictOperator<R>(_ name: String?, _ body: () throws -> R) rethrows -> R {
        try DispatchScope.with({ $0.strictOperator = name }, body)
    }
}
