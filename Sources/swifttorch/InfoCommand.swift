import ArgumentParser
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
        do {
            let priority = try Runtime.activePriority()
            print("priority: \(priority) (default device \(priority.defaultDevice))")
        } catch {
            print("priority: error: \(error)")
            throw ExitCode(1)
        }
    }
}
