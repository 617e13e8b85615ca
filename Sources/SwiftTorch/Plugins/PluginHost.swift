import CSwiftTorchABI
import Foundation
import Synchronization
import SwiftTorchCore

/// The host side of one loaded plugin: the callbacks it was given and what it registered.
/// Registrations made during `initialize` are held back and committed only if it succeeds,
/// so a plugin that fails half-way leaves nothing behind. Lives as long as the process
/// (plugins are never unloaded), so C code may keep pointers to it.
final class PluginHost: @unchecked Sendable {
    struct PendingKernel {
        let op: String
        let backend: String
        let dtypes: Set<DType>?
        let kernel: PluginKernel
    }
    private struct State {
        var committed = false
        var backends: [BackendDescriptor] = []
        var kernels: [PendingKernel] = []
        /// Scratch memory handed out through `allocate`, kept alive until `release`.
        var scratch: [UInt: Storage] = [:]
    }
    private let state = Mutex(State())
    private let registry: OperatorRegistry
    /// The callback table passed to the plugin; never freed.
    let api: UnsafeMutablePointer<st_host_api>

    init(registry: OperatorRegistry) {
        self.registry = registry
        api = UnsafeMutablePointer<st_host_api>.allocate(capacity: 1)
        api.initialize(to: st_host_api(
            struct_size: MemoryLayout<st_host_api>.size, abi_major: UInt32(ST_ABI_MAJOR), abi_minor: UInt32(ST_ABI_MINOR),
            host_context: nil, register_backend: hostRegisterBackend, register_kernel: hostRegisterKernel,
            report_error: hostReportError, allocate: hostAllocate, release: hostRelease, notice: hostNotice))
        // Retained forever: the plugin may call back at any time.
        api.pointee.host_context = Unmanaged.passRetained(self).toOpaque()
    }

    static func from(_ context: UnsafeMutableRawPointer?) -> PluginHost {
        Unmanaged<PluginHost>.fromOpaque(context!).takeUnretainedValue()
    }

    /// Registers the held-back backends and kernels; returns their names for the status line.
    func commit() -> (backends: [String], kernels: [String]) {
        let (backends, kernels) = state.withLock { s in
            s.committed = true
            defer { s.backends = []; s.kernels = [] }
            return (s.backends, s.kernels)
        }
        for b in backends { registry.register(backend: b) }
        var names: [String] = []
        for k in kernels {
            // Checked when the plugin registered it, so this cannot fail.
            try? registry.register(kernel: k.kernel.kernel, for: k.op, backend: k.backend, dtypes: k.dtypes)
            names.append(k.op + (k.dtypes.map { " (" + $0.map(\.rawValue).sorted().joined(separator: ", ") + ")" } ?? ""))
        }
        return (backends.map(\.name), names)
    }

    fileprivate func addBackend(_ b: BackendDescriptor) {
        let direct = state.withLock { s -> Bool in
            if s.committed { return true }
            s.backends.removeAll { $0.name == b.name }
            s.backends.append(b)
            return false
        }
        if direct { registry.register(backend: b) }
    }

    fileprivate func addKernel(_ k: PendingKernel) throws {
        guard let handle = registry.operator(named: k.op) else {
            throw TorchError(.unknownOperator, "no operator '\(k.op)' in this SwiftTorch")
        }
        if handle.definition.composite != nil {
            throw TorchError(.invalidArgument, "'\(k.op)' is a composite operator; it takes no kernels")
        }
        let direct = try state.withLock { s -> Bool in
            if s.committed { return true }
            guard s.backends.contains(where: { $0.name == k.backend }) || registry.backendDescriptor(named: k.backend) != nil else {
                throw TorchError(.unknownBackend, "kernel '\(k.op)' names backend '\(k.backend)', which is not registered")
            }
            s.kernels.append(k)
            return false
        }
        if direct { try registry.register(kernel: k.kernel.kernel, for: k.op, backend: k.backend, dtypes: k.dtypes) }
    }

    fileprivate func allocate(_ device: Device, _ bytes: Int) throws -> UnsafeMutableRawPointer {
        let storage: Storage
        if device.isCPU {
            storage = try .cpu(byteCount: bytes)
        } else {
            guard let backend = registry.backends.first(where: { $0.serves(device) && $0.availability.isAvailable }) else {
                throw TorchError(.backendUnavailable, "no available backend allocates on \(device)")
            }
            storage = try backend.allocate(bytes, device)
        }
        let key = UInt(bitPattern: storage.data)
        state.withLock { $0.scratch[key] = storage }
        return storage.data
    }

    fileprivate func release(_ pointer: UnsafeMutableRawPointer) {
        let key = UInt(bitPattern: pointer)
        state.withLock { s in s.scratch[key] = nil }
    }
}

/// Collects the error a plugin reports during one call.
final class PluginErrorBox {
    var kind: TorchError.Kind?
    var message: String?

    var context: UnsafeMutableRawPointer { Unmanaged.passUnretained(self).toOpaque() }

    /// The reported error, or one saying that none was reported.
    func error(_ what: String) -> TorchError {
        TorchError(kind ?? .plugin, message ?? "\(what) failed without reporting why")
    }
}

extension Device {
    init(abi d: st_device) {
        self = d.type == Int32(ST_DEVICE_CUDA.rawValue) ? .cuda(Int(d.index)) : .cpu
    }
    var abi: st_device {
        switch self {
        case .cpu: st_device(type: Int32(ST_DEVICE_CPU.rawValue), index: 0)
        case .cuda(let i): st_device(type: Int32(ST_DEVICE_CUDA.rawValue), index: Int32(i))
        }
    }
}

extension DType {
    /// The ABI's code (`st_dtype`).
    var abi: Int32 {
        switch self {
        case .bool: Int32(ST_BOOL.rawValue)
        case .int32: Int32(ST_INT32.rawValue)
        case .int64: Int32(ST_INT64.rawValue)
        case .float32: Int32(ST_FLOAT32.rawValue)
        case .float64: Int32(ST_FLOAT64.rawValue)
        }
    }
}

func errorKind(abi kind: Int32) -> TorchError.Kind {
    switch UInt32(bitPattern: kind) {
    case ST_ERROR_INVALID_ARGUMENT.rawValue: .invalidArgument
    case ST_ERROR_INDEX_OUT_OF_RANGE.rawValue: .indexOutOfRange
    case ST_ERROR_SHAPE.rawValue: .shapeMismatch
    case ST_ERROR_DTYPE.rawValue: .dtypeMismatch
    case ST_ERROR_NOT_IMPLEMENTED.rawValue: .notImplemented
    default: .plugin
    }
}

/// Stores an error for the caller of a C callback.
private func fail(_ errorContext: UnsafeMutableRawPointer?, _ error: any Error) -> Int32 {
    if let errorContext {
        let box = Unmanaged<PluginErrorBox>.fromOpaque(errorContext).takeUnretainedValue()
        box.kind = (error as? TorchError)?.kind ?? .plugin
        box.message = "\(error)"
    }
    return Int32(ST_FAILED)
}

// MARK: - The C callbacks (no captures: the context pointer leads back to the PluginHost)

private let hostRegisterBackend: @convention(c) (UnsafeMutableRawPointer?, UnsafePointer<st_backend>?, UnsafeMutableRawPointer?) -> Int32 = { context, backend, errorContext in
    guard let backend, let name = backend.pointee.name.map({ String(cString: $0) }), !name.isEmpty else {
        return fail(errorContext, TorchError(.invalidArgument, "register_backend: a backend needs a name"))
    }
    PluginHost.from(context).addBackend(PluginBackend.descriptor(name: name, backend.pointee))
    return Int32(ST_OK)
}

private let hostRegisterKernel: @convention(c) (UnsafeMutableRawPointer?, UnsafePointer<CChar>?, UnsafePointer<CChar>?, UInt32,
                                                st_kernel_fn?, UnsafeMutableRawPointer?, UnsafeMutableRawPointer?) -> Int32 = {
    context, backend, op, mask, function, data, errorContext in
    guard let backend, let op, let function else {
        return fail(errorContext, TorchError(.invalidArgument, "register_kernel: backend, op and kernel must not be NULL"))
    }
    let host = PluginHost.from(context)
    let dtypes = mask == 0 ? nil : Set(DType.allCases.filter { mask & (1 << UInt32($0.abi)) != 0 })
    let kernel = PluginKernel(function: function, data: data, op: String(cString: op), backend: String(cString: backend), host: host.api)
    do {
        try host.addKernel(.init(op: kernel.opName, backend: kernel.backendName, dtypes: dtypes, kernel: kernel))
        return Int32(ST_OK)
    } catch {
        return fail(errorContext, error)
    }
}

private let hostReportError: @convention(c) (UnsafeMutableRawPointer?, Int32, UnsafePointer<CChar>?) -> Void = { errorContext, kind, message in
    guard let errorContext else { return }
    let box = Unmanaged<PluginErrorBox>.fromOpaque(errorContext).takeUnretainedValue()
    box.kind = errorKind(abi: kind)
    box.message = message.map { String(cString: $0) } ?? "unspecified error"
}

private let hostAllocate: @convention(c) (UnsafeMutableRawPointer?, st_device, Int, UnsafeMutableRawPointer?) -> UnsafeMutableRawPointer? = {
    context, device, bytes, errorContext in
    do {
        return try PluginHost.from(context).allocate(Device(abi: device), bytes)
    } catch {
        _ = fail(errorContext, error)
        return nil
    }
}

private let hostRelease: @convention(c) (UnsafeMutableRawPointer?, st_device, UnsafeMutableRawPointer?) -> Void = { context, _, pointer in
    if let pointer { PluginHost.from(context).release(pointer) }
}

private let hostNotice: @convention(c) (UnsafeMutableRawPointer?, UnsafePointer<CChar>?) -> Void = { _, message in
    guard let message else { return }
    FileHandle.standardError.write(Data((String(cString: message) + "\n").utf8))
}
