import SwiftTorchCore

/// The GPUs the `cuda` backend plugin can use, as PyTorch's `torch.cuda`:
///
/// <!-- snippet: cuda-devices -->
/// ```swift
/// let device: Device = cuda.isAvailable ? .cuda : .cpu
/// if cuda.isAvailable { print(cuda.deviceCount, try cuda.deviceName(0)) }
/// ```
///
/// The plugin is loaded at start-up when it is found (see Docs/cuda.md); without it, or on
/// a machine without a GPU, `isAvailable` is false and `unavailableReason` says why.
public struct CUDADevices: Sendable {
    /// Whether the `cuda` backend is loaded and sees at least one device
    /// (`torch.cuda.is_available()`).
    public var isAvailable: Bool { backend?.availability.isAvailable == true }

    /// How many CUDA devices there are, 0 when CUDA is not available
    /// (`torch.cuda.device_count()`).
    public var deviceCount: Int { isAvailable ? deviceNames.count : 0 }

    /// Why CUDA cannot be used here, or nil when it can.
    public var unavailableReason: String? {
        guard let backend else {
            return "the cuda backend plugin is not loaded (build it with Backends/CUDA/build.sh; `swifttorch info` shows where plugins are looked for)"
        }
        if case .unavailable(let reason) = backend.availability { return reason }
        return nil
    }

    /// The name of device `index`, as the driver reports it (`torch.cuda.get_device_name(i)`);
    /// throws when CUDA is not available or there is no such device.
    public func deviceName(_ index: Int = 0) throws -> String {
        if let unavailableReason {
            throw TorchError(.backendUnavailable, "cuda.deviceName: CUDA is not available: \(unavailableReason)")
        }
        let names = deviceNames
        guard names.indices.contains(index) else {
            throw TorchError(.invalidArgument, "cuda.deviceName: device \(index) is out of range; \(names.count) CUDA device\(names.count == 1 ? " is" : "s are") available")
        }
        return names[index]
    }

    private var backend: BackendDescriptor? { Runtime.registry.backendDescriptor(named: "cuda") }

    /// Device names in index order, from the backend's description of itself: the plugin
    /// describes each device on a line `cuda:<i> <name> (<facts>)` (its `info` lines), the
    /// only per-device facts its versioned interface carries.
    var deviceNames: [String] { CUDADevices.deviceNames(fromDetails: backend?.details ?? []) }

    static func deviceNames(fromDetails details: [String]) -> [String] {
        var names: [Int: String] = [:]
        for line in details.flatMap({ $0.split(separator: "\n") }) where line.hasPrefix("cuda:") {
            let rest = line.dropFirst("cuda:".count)
            guard let space = rest.firstIndex(of: " "), let index = Int(rest[..<space]) else { continue }
            var name = rest[rest.index(after: space)...]
            if let facts = name.ranges(of: " (").last { name = name[..<facts.lowerBound] }
            names[index] = String(name)
        }
        return (0..<names.count).compactMap { names[$0] }
    }
}

/// PyTorch's `torch.cuda`: `cuda.isAvailable`, `cuda.deviceCount`, `cuda.deviceName(0)`.
public let cuda = CUDADevices()
