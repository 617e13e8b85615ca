import Foundation

/// Which plugins may replace what they did not register: a kernel of a built-in backend
/// (the `reference` kernels are the oracle that `SWIFTTORCH_CHECK` and the conformance runner
/// trust) or of another plugin's backend, or such a backend itself. A plugin may always add
/// kernels to the backends it registers; anything more is refused unless the user names the
/// plugin in `SWIFTTORCH_PLUGIN_OVERRIDE`, and an allowed replacement is listed by
/// `swifttorch info`.
struct PluginOverridePolicy: Sendable, Equatable {
    /// The environment variable that opts plugins in, by name (`fastkernels,other`).
    static let variable = "SWIFTTORCH_PLUGIN_OVERRIDE"

    /// Plugin names (each plugin's own `st_plugin.name`) allowed to replace.
    let allowedPlugins: Set<String>

    /// No plugin may replace anything.
    static let none = PluginOverridePolicy(allowedPlugins: [])

    /// The policy `SWIFTTORCH_PLUGIN_OVERRIDE` sets: comma-separated plugin names.
    static func fromEnvironment(_ environment: [String: String]) -> PluginOverridePolicy {
        let names = (environment[variable] ?? "").split(separator: ",")
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        return PluginOverridePolicy(allowedPlugins: Set(names))
    }

    /// Whether the plugin named `plugin` may replace kernels and backends it did not register.
    func allows(_ plugin: String) -> Bool { allowedPlugins.contains(plugin) }
}
