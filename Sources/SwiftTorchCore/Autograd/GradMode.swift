/// Whether operations are recorded for autograd in the current task (PyTorch's
/// `torch.no_grad()`). Task-local, so concurrent tasks do not see each other's scopes.
public enum GradMode {
    /// Whether the current task records operations for autograd; `withNoGrad` turns it off for
    /// a scope.
    @TaskLocal public static var isEnabled = true

    /// Runs `body` with recording off.
    public static func withNoGrad<R>(_ body: () throws -> R) rethrows -> R {
        try $isEnabled.withValue(false, operation: body)
    }

    /// Runs `body` with recording off (async).
    public static func withNoGrad<R>(isolation: isolated (any Actor)? = #isolation,
                                     _ body: () async throws -> R) async rethrows -> R {
        try await $isEnabled.withValue(false, operation: body, isolation: isolation)
    }
}
