import ArgumentParser
import Foundation
import SwiftTorch

struct InfoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info", abstract: "Version, backends and their availability, the active priority list.")

    func run() throws {
        print("SwiftTorch \(SwiftTorchVersion.string)")
        print("backends:")
        for backend in Runtime.registry.backends {
            let status: String
            switch backend.availability {
            case .available: status = "available"
            case .unavailable(let reason): status = "unavailable: \(reason)"
            }
            print("  \(backend.name) (\(backend.deviceKind.isCPU ? "cpu" : "gpu")): \(status)")
            for detail in backend.details { print("    \(detail)") }
        }
        for name in Runtime.knownBackendNames where Runtime.registry.backendDescriptor(named: name) == nil {
            print("  \(name): not built into this binary")
        }
        printPlugins()
        printAllocator()
        do {
            let priority = try Runtime.activePriority()
            print("priority: \(priority) (default device \(priority.defaultDevice))")
        } catch {
            print("priority: error: \(error)")
            throw ExitCode(1)
        }
    }

    /// The host allocator's mode and counters (this process's, so mostly the start-up's).
    private func printAllocator() {
        let s = Runtime.allocatorStatistics
        var mode = "\(s.mode.rawValue) (\(AllocatorMode.variable)=caching|system)"
        do { _ = try AllocatorMode.fromEnvironment(ProcessInfo.processInfo.environment) } catch { mode += "; error: \(error)" }
        print("allocator: \(mode)")
        print("  in use: \(s.bytesInUse) bytes in \(s.blocksInUse) blocks, peak \(s.peakBytesInUse) bytes")
        print("  cached: \(s.bytesCached) bytes in \(s.blocksCached) blocks, limit \(s.cacheLimit) bytes")
        print("  allocations: \(s.allocations) (cache hits \(s.cacheHits), misses \(s.cacheMisses)), frees: \(s.frees), released to the system: \(s.releasedToSystem)")
    }

    /// Every plugin found or expected, one status each, and the CPU fallbacks in force.
    private func printPlugins() {
        print("plugins:")
        let plugins = PluginLoader.plugins
        if plugins.isEmpty { print("  none found") }
        if let allowed = ProcessInfo.processInfo.environment["SWIFTTORCH_PLUGIN_OVERRIDE"], !allowed.isEmpty {
            // Replacing reference's kernels changes the oracle that SWIFTTORCH_CHECK and conformance trust.
            print("  SWIFTTORCH_PLUGIN_OVERRIDE=\(allowed): these plugins may replace kernels and backends they did not register")
        }
        for plugin in plugins {
            var line = "  \(plugin.name) (\(plugin.path)): \(plugin.status.summary)"
            if case .loaded(let backends, _, _) = plugin.status,
               backends.contains(where: { Runtime.registry.backendDescriptor(named: $0)?.availability.isAvailable == false }) {
                line += " (its backend is unavailable here; see above)"
            }
            print(line)
        }
        for backend in DeviceFallback.enabledBackends {
            let missing = Runtime.registry.operators
                .filter { $0.definition.composite == nil && !$0.implementingBackends.contains(backend) }.map(\.name)
            print("CPU fallback for \(backend) (\(DeviceFallback.variable(for: backend))=cpu): \(missing.count) operators would run on the CPU"
                + (missing.isEmpty ? "" : ": " + missing.joined(separator: ", ")))
        }
        for (op, count) in DeviceFallback.counts.sorted(by: { $0.key < $1.key }) {
            print("  fell back: \(op) \(count) times")
        }
    }
}
