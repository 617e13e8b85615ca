import CSwiftTorchABI
import Foundation
import Synchronization
import SwiftTorchCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Finds, loads and initialises backend plugins (shared libraries speaking
/// `swifttorch_plugin.h`). A broken plugin is reported with its status and never stops the
/// library; only a backend the user names explicitly makes its absence an error.
///
/// Libraries are opened with `RTLD_NOW | RTLD_LOCAL` and never closed: kernels and storage
/// release functions point into them for the life of the process. A plugin may add kernels
/// only to the backends it registers, unless `SWIFTTORCH_PLUGIN_OVERRIDE` names it (see
/// ``PluginStatus/loaded(backends:kernels:overrides:)``).
public enum PluginLoader {
    private struct State {
        var records: [PluginRecord] = []
        /// Records of loaded files, by resolved path, so a second load returns the first result.
        var byPath: [String: PluginRecord] = [:]
        /// Backends registered as stand-ins for expected plugins that were not found.
        var placeholders: Set<String> = []
    }
    private static let state = Mutex(State())

    /// Every plugin found or expected at start-up and every one loaded since, with its status.
    public static var plugins: [PluginRecord] {
        _ = Runtime.registry
        return state.withLock { $0.records }
    }

    /// Loads the plugin at `path` into the process's registry and returns its status. Its
    /// backends and kernels join those registered at start-up. Loading a file twice returns
    /// the first result without initialising it again. A relative path is relative to the
    /// current folder, never the dynamic linker's search path. `SWIFTTORCH_PLUGIN_OVERRIDE`
    /// applies as at start-up.
    @discardableResult
    public static func load(path: String) -> PluginRecord {
        _ = Runtime.registry
        return load(path: path, name: nil, registry: operatorRegistry,
                    overrides: .fromEnvironment(ProcessInfo.processInfo.environment))
    }

    /// Start-up: loads every plugin discovery finds. Runs inside the runtime's
    /// initialisation, so it touches only the registry, never `Runtime` itself.
    static func loadDiscovered(environment: [String: String]) {
        let search = PluginDiscovery.search(environment: environment)
        let overrides = PluginOverridePolicy.fromEnvironment(environment)
        for file in search.files { load(path: file.path, name: file.name, registry: operatorRegistry, overrides: overrides) }
        for missing in search.missing {
            remember(missing, resolvedPath: nil)
            // An expected backend that is missing is registered as unavailable, so naming it
            // (SWIFTTORCH_BACKEND=cuda) fails with the paths that were searched.
            if PluginDiscovery.expected.contains(missing.name), operatorRegistry.backendDescriptor(named: missing.name) == nil {
                state.withLock { _ = $0.placeholders.insert(missing.name) }
                operatorRegistry.register(backend: BackendDescriptor(
                    name: missing.name, deviceKind: missing.name == "cuda" ? .cuda(0) : .cpu,
                    availability: .unavailable(reason: "plugin \(PluginDiscovery.fileName(missing.name)) \(missing.status.summary)")))
            }
        }
    }

    @discardableResult
    private static func load(path given: String, name: String?, registry: OperatorRegistry,
                             overrides: PluginOverridePolicy) -> PluginRecord {
        // The file checked here is the file dlopen opens: a bare or relative name would send
        // dlopen down the linker's search path, to some other file than the one checked.
        let path = absolutePath(given)
        let fileName = (path as NSString).lastPathComponent
        let guessedName = name ?? PluginDiscovery.pluginName(fileName: fileName) ?? fileName
        guard FileManager.default.fileExists(atPath: path) else {
            let record = PluginRecord(name: guessedName, path: path, status: .notFound(tried: [path]))
            remember(record, resolvedPath: nil)
            return record
        }
        let resolved = URL(fileURLWithPath: path).resolvingSymlinksInPath().path
        if let previous = state.withLock({ $0.byPath[resolved] }) { return previous }
        let (pluginName, status) = open(resolved, registry: registry, overrides: overrides)
        let record = PluginRecord(name: pluginName ?? guessedName, path: path, status: status)
        remember(record, resolvedPath: resolved)
        return record
    }

    /// `path` made absolute against the current folder (already absolute paths unchanged).
    static func absolutePath(_ path: String, currentFolder: String = FileManager.default.currentDirectoryPath) -> String {
        let full = path.hasPrefix("/") ? path : (currentFolder as NSString).appendingPathComponent(path)
        return (full as NSString).standardizingPath
    }

    private static func remember(_ record: PluginRecord, resolvedPath: String?) {
        state.withLock { s in
            // A plugin found later replaces the record saying it was not found.
            if record.status.isLoaded {
                s.records.removeAll { old in
                    if case .notFound = old.status { return old.name == record.name }
                    return false
                }
            }
            s.records.append(record)
            if let resolvedPath { s.byPath[resolvedPath] = record }
        }
    }

    /// dlopen, ABI check, initialise, commit. Returns the plugin's own name when it has one.
    /// `path` must be absolute, so that dlopen does not search for it.
    static func open(_ path: String, registry: OperatorRegistry, overrides: PluginOverridePolicy) -> (String?, PluginStatus) {
        guard let handle = dlopen(path, RTLD_NOW | RTLD_LOCAL) else {
            return (nil, .dlopenFailed(lastDLError()))
        }
        guard let symbol = dlsym(handle, ST_PLUGIN_ENTRY_NAME) else {
            return (nil, .dlopenFailed("\(ST_PLUGIN_ENTRY_NAME) not found: \(lastDLError())"))
        }
        let entry = unsafeBitCast(symbol, to: st_plugin_entry_fn.self)
        guard let plugin = entry() else {
            return (nil, .initializationFailed("\(ST_PLUGIN_ENTRY_NAME)() returned NULL"))
        }
        // struct_size, abi_major and abi_minor sit at the start in every version.
        let major = plugin.pointee.abi_major, minor = plugin.pointee.abi_minor
        guard major == UInt32(ST_ABI_MAJOR) else {
            return (nil, .abiMismatch(plugin: "\(major).\(minor)", host: "\(ST_ABI_MAJOR).\(ST_ABI_MINOR)"))
        }
        guard plugin.pointee.struct_size >= MemoryLayout<st_plugin>.size, let initialize = plugin.pointee.initialize else {
            return (nil, .initializationFailed("its st_plugin (\(plugin.pointee.struct_size) bytes) lacks an initialize function"))
        }
        let name = plugin.pointee.name.map { String(cString: $0) }
        let guestName = name ?? (path as NSString).lastPathComponent
        let host = PluginHost(registry: registry, guest: .init(
            name: guestName, abiMinor: minor, placeholderBackends: state.withLock { $0.placeholders },
            mayOverride: overrides.allows(guestName)))
        let errors = PluginErrorBox()
        let status = initialize(host.api, errors.context)
        guard status == Int32(ST_OK) else {
            return (name, .initializationFailed(errors.message ?? "initialize returned \(status) without a reason"))
        }
        let registered = host.commit()
        // A stand-in replaced by the real plugin's backend is no longer free to take.
        state.withLock { $0.placeholders.subtract(registered.backends) }
        return (name, .loaded(backends: registered.backends, kernels: registered.kernels, overrides: registered.overrides))
    }

    private static func lastDLError() -> String {
        dlerror().map { String(cString: $0) } ?? "unknown error"
    }
}
