import CSwiftTorchABI
import SwiftTorchCore

/// Turns a plugin's `st_backend` into the registry's `BackendDescriptor`: its device, its
/// availability (with the plugin's reason) and an allocator that calls back into the plugin.
enum PluginBackend {
    /// The plugin's allocator functions, carried into `@Sendable` closures.
    private struct Allocator: @unchecked Sendable {
        let context: UnsafeMutableRawPointer?
        let allocate: @convention(c) (UnsafeMutableRawPointer?, st_device, Int, UnsafeMutablePointer<UnsafeMutableRawPointer?>?,
                                      UnsafeMutableRawPointer?) -> Int32
        let release: (@convention(c) (UnsafeMutableRawPointer?, st_device, UnsafeMutableRawPointer?) -> Void)?
    }

    static func descriptor(name: String, _ b: st_backend) -> BackendDescriptor {
        let deviceKind: Device = b.device_type == Int32(ST_DEVICE_CUDA.rawValue) ? .cuda(0) : .cpu
        let availability: Availability = b.available != 0 ? .available
            : .unavailable(reason: b.unavailable_reason.map { String(cString: $0) } ?? "the plugin gave no reason")
        let details = b.details.map { String(cString: $0).split(separator: "\n").map(String.init) } ?? []
        guard let allocate = b.allocate else {
            return BackendDescriptor(name: name, deviceKind: deviceKind, availability: availability, details: details)
        }
        let allocator = Allocator(context: b.context, allocate: allocate, release: b.release)
        return BackendDescriptor(name: name, deviceKind: deviceKind, availability: availability, details: details) { bytes, device in
            let errors = PluginErrorBox()
            var pointer: UnsafeMutableRawPointer?
            let status = allocator.allocate(allocator.context, device.abi, bytes, &pointer, errors.context)
            guard status == Int32(ST_OK), let pointer else {
                throw errors.error("\(name): allocating \(bytes) bytes on \(device)")
            }
            return Storage(device: device, byteCount: bytes, data: pointer) { p in
                allocator.release?(allocator.context, device.abi, p)
            }
        }
    }
}
