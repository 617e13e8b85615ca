import Synchronization

/// Whether operations are recorded for autograd in the current task (PyTorch's
/// `torch.no_grad()` and `torch.set_grad_enabled`). Task-local, so concurrent tasks do not
/// see each other's scopes.
public enum GradMode {
    /// Whether the current task records operations for autograd; `withNoGrad` turns it off for
    /// a scope.
    ///
    /// Every call with an input that requires grad asks this. A task-local read costs about
    /// 140 instructions, so it is skipped until some code first sets a scope: before that,
    /// no task can hold anything but the default.
    public static var isEnabled: Bool {
        guard scopeWasSet.load(ordering: .acquiring) else { return true }
        return stored ?? true
    }

    @TaskLocal private static var stored: Bool?
    private static let scopeWasSet = Atomic<Bool>(false)

    /// Runs `body` with recording on or off (PyTorch's `torch.set_grad_enabled(mode)`).
    public static func withGradEnabled<R>(_ enabled: Bool, _ body: () throws -> R) rethrows -> R {
        scopeWasSet.store(true, ordering: .releasing)
        return try $stored.withValue(enabled, operation: body)
    }

    /// Async form of ``withGradEnabled(_:_:)``.
    public static func withGradEnabled<R>(_ enabled: Bool, isolation: isolated (any Actor)? = #isolation,
                                          _ body: () async throws -> R) async rethrows -> R {
        scopeWasSet.store(true, ordering: .releasing)
        return try await $stored.withValue(enabled, operation: body, isolation: isolation)
    }

    /// Runs `body` with recording off.
    public static func withNoGrad<R>(_ body: () throws -> R) rethrows -> R {
        try withGradEnabled(false, body)
    }

    /// Runs `body` with recording off (async).
    public static func withNoGrad<R>(isolation: isolated (any Actor)? = #isolation,
                                     _ body: () async throws -> R) async rethrows -> R {
        try await withGradEnabled(false, isolation: isolation, body)
    }
}
