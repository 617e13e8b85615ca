/// What happened to one plugin: every plugin found (or expected) gets exactly one status, and
/// `swifttorch info` prints it.
public enum PluginStatus: Sendable, Equatable {
    /// Loaded and initialised; it registered these backends and kernels. `overrides` lists
    /// what it replaced that it had not registered (`reference: neg (float64)`, `backend
    /// openmp`), which only `SWIFTTORCH_PLUGIN_OVERRIDE` allows; empty for a plugin that
    /// keeps to its own backends.
    case loaded(backends: [String], kernels: [String], overrides: [String] = [])
    /// No file at any of these paths.
    case notFound(tried: [String])
    /// `dlopen` (or `dlsym` of the entry point) failed; the text is `dlerror()`'s.
    case dlopenFailed(String)
    /// Built for another ABI major version; nothing of it was called beyond the entry point.
    case abiMismatch(plugin: String, host: String)
    /// Its `initialize` reported this reason; nothing it registered was kept.
    case initializationFailed(String)

    /// Whether the plugin's backends and kernels are in the registry.
    public var isLoaded: Bool {
        if case .loaded = self { return true }
        return false
    }

    /// One line for `swifttorch info`.
    public var summary: String {
        switch self {
        case .loaded(let backends, let kernels, let overrides):
            let names = kernels.isEmpty ? "none" : kernels.joined(separator: ", ")
            let replaced = overrides.isEmpty ? ""
                : "; REPLACES what it did not register (allowed by \(PluginOverridePolicy.variable)): \(overrides.joined(separator: ", "))"
            return "loaded; backends: \(backends.joined(separator: ", ")); \(kernels.count) kernels: \(names)" + replaced
        case .notFound(let tried):
            return "not found; tried: \(tried.joined(separator: ", "))"
        case .dlopenFailed(let message):
            return "dlopen failed: \(message)"
        case .abiMismatch(let plugin, let host):
            return "ABI version mismatch: plugin built for ABI \(plugin), this SwiftTorch provides ABI \(host)"
        case .initializationFailed(let reason):
            return "initialisation failed: \(reason)"
        }
    }
}

/// One plugin as the loader saw it.
public struct PluginRecord: Sendable, Equatable {
    /// The plugin's own name once loaded, else the name its file implies (`libswifttorch_cuda.so` → `cuda`).
    public let name: String
    /// The file loaded, or the first place it was looked for.
    public let path: String
    /// Whether it loaded, and why not.
    public let status: PluginStatus
}
