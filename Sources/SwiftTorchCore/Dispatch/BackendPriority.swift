import Synchronization
/// The ordered list of backends the dispatcher tries for CPU tensors, and the device new
/// tensors are created on.
public struct BackendPriority: Sendable, Equatable, CustomStringConvertible {
    /// Backend names, most preferred first.
    public let names: [String]
    /// Where creation functions put new tensors when no device is given.
    public let defaultDevice: Device

    /// Whether this is the default chain (nothing was asked for). Only then may a backend
    /// hand an operator it implements to a later one that is faster at it
    /// (``BackendDescriptor/defersInDefaultChain``): a backend named by the user runs its own kernels.
    public let isDefaultChain: Bool
    /// The same id for the same list: kernel choices are cached by it.
    public let id: Int

    /// A priority list of backend names, with the device new tensors go to.
    public init(names: [String], defaultDevice: Device = .cpu, isDefaultChain: Bool = false) {
        self.names = names
        self.defaultDevice = defaultDevice
        self.isDefaultChain = isDefaultChain
        let key = (isDefaultChain ? ["(default)"] : []) + names
        self.id = BackendPriority.internedIDs.withLock { ids in
            if let id = ids[key] { return id }
            ids[key] = ids.count
            return ids.count - 1
        }
    }

    private static let internedIDs = Mutex<[[String]: Int]>([:])

    /// The names joined by commas, as `SWIFTTORCH_BACKEND` takes them.
    public var description: String { names.joined(separator: ",") }

    /// Resolves a user's request (`SWIFTTORCH_BACKEND`'s value, or a name in code) against the
    /// registered backends. `nil` or empty means every available CPU backend, best first.
    ///
    /// - An unknown name is an error listing the valid names.
    /// - A single backend that is unavailable is an error with the reason.
    /// - In a list, unavailable backends are dropped with a notice, as long as one remains.
    public static func resolve(_ request: String?, backends: [BackendDescriptor], knownNames: [String],
                               preferredCPUOrder: [String],
                               notice: (String) -> Void = { _ in }) throws -> BackendPriority {
        let requested = (request ?? "").split(separator: ",").map { $0.trimmingCharacters(in: " ") }.filter { !$0.isEmpty }
        let available = backends.filter { $0.availability.isAvailable }
        if requested.isEmpty {
            let chain = preferredCPUOrder.filter { name in available.contains { $0.name == name && $0.deviceKind == .cpu } }
            return BackendPriority(names: chain, isDefaultChain: true)
        }
        let valid = (knownNames + backends.map(\.name)).reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
        for name in requested where !valid.contains(name) {
            throw TorchError(.unknownBackend, "unknown backend '\(name)'; valid names: \(valid.joined(separator: ", "))")
        }
        var kept: [String] = []
        var dropped: [String] = []
        for name in requested {
            if let d = backends.first(where: { $0.name == name }), d.availability.isAvailable {
                kept.append(name)
            } else {
                dropped.append("\(name) (\(reason(name, backends)))")
            }
        }
        if kept.isEmpty {
            throw TorchError(.backendUnavailable, "backend \(requested.joined(separator: ",")) is not available: \(dropped.joined(separator: "; "))")
        }
        if !dropped.isEmpty {
            notice("SwiftTorch: skipping unavailable backend \(dropped.joined(separator: "; ")); using \(kept.joined(separator: ","))")
        }
        let first = backends.first { $0.name == kept[0] }!
        let device: Device = first.deviceKind == .cpu ? .cpu : first.deviceKind
        return BackendPriority(names: kept, defaultDevice: device)
    }

    private static func reason(_ name: String, _ backends: [BackendDescriptor]) -> String {
        guard let d = backends.first(where: { $0.name == name }) else { return "not built or not found" }
        if case .unavailable(let why) = d.availability { return why }
        return "available"
    }
}
