import CSwiftTorchABI
import Foundation
import Synchronization
import SwiftTorchCore

/// The host side of one loaded plugin: the callbacks it was given and what it registered.
/// Registrations made during `initialize` are held back and committed only if it succeeds,
/// so a plugin that fails half-way leaves nothing behind. Lives as long as the process
/// (plugins are never unloaded), so C code may keep pointers to it.
final class PluginHost: @unchecked Sendable {
    /// The plugin this host serves, and what it may touch.
    struct Guest {
        /// Its own name (`st_plugin.name`), as errors and `SWIFTTORCH_PLUGIN_OVERRIDE` spell it.
        let name: String
        /// The ABI minor version it was built against: it sizes the structs it passes.
        let abiMinor: UInt32
        /// Stand-ins for expected plugins that were not found (`cuda`): the real plugin
        /// replaces them without opting in.
        let placeholderBackends: Set<String>
        /// Whether the user let it replace kernels and backends it did not register.
        let mayOverride: Bool
    }
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
        /// Every backend this plugin registered: it may add kernels to these freely.
        var ownBackends: Set<String> = []
        /// What it replaced with the user's permission, for `swifttorch info`.
        var overrides: [String] = []
        /// Scratch memory handed out through `allocate`, kept alive until `release`.
        var scratch: [UInt: Storage] = [:]
    }
    private let state = Mutex(State())
    private let registry: OperatorRegistry
    let guest: Guest
    /// The callback table passed to the plugin; never freed.
    let api: UnsafeMutablePointer<st_host_api>

    /// Every host made, by the address plugins get as `host_context`: a callback checks its
    /// context against these before using it, so NULL or a stray pointer is an error, not a
    /// crash. Hosts are never freed, so an address here stays valid.
    private static let live = Mutex(Set<UInt>())
    /// Which plugin (by name) registered each plugin backend, so that the same plugin loaded
    /// again (a second `PluginLoader.load` of one file) may register its own backend anew.
    private static let backendOwners = Mutex([String: String]())

    init(registry: OperatorRegistry, guest: Guest) {
        self.registry = registry
        self.guest = guest
        api = UnsafeMutablePointer<st_host_api>.allocate(capacity: 1)
        api.initialize(to: st_host_api(
            struct_size: MemoryLayout<st_host_api>.size, abi_major: UInt32(ST_ABI_MAJOR), abi_minor: UInt32(ST_ABI_MINOR),
            host_context: nil, register_backend: hostRegisterBackend, register_kernel: hostRegisterKernel,
            report_error: hostReportError, allocate: hostAllocate, release: hostRelease, notice: hostNotice))
        // Retained forever: the plugin may call back at any time.
        let context = Unmanaged.passRetained(self).toOpaque()
        Self.live.withLock { _ = $0.insert(UInt(bitPattern: context)) }
        api.pointee.host_context = context
    }

    /// The host behind a callback's `host_context`; `callback` names the callback in the error.
    static func from(_ context: UnsafeMutableRawPointer?, _ callback: String) throws -> PluginHost {
        guard let context else {
            throw TorchError(.plugin, "\(callback): host_context is NULL; pass the host->host_context that initialize received")
        }
        guard live.withLock({ $0.contains(UInt(bitPattern: context)) }) else {
            throw TorchError(.plugin, "\(callback): host_context \(context) is not one this SwiftTorch handed out; pass the host->host_context that initialize received")
        }
        return Unmanaged<PluginHost>.fromOpaque(context).takeUnretainedValue()
    }

    /// Registers the held-back backends and kernels; returns their names for the status line,
    /// and what the plugin replaced with the user's permission.
    func commit() -> (backends: [String], kernels: [String], overrides: [String]) {
        let (backends, kernels, overrides) = state.withLock { s in
            s.committed = true
            defer { s.backends = []; s.kernels = [] }
            return (s.backends, s.kernels, s.overrides)
        }
        for b in backends { registry.register(backend: b) }
        var names: [String] = []
        for k in kernels {
            // Checked when the plugin registered it, so this cannot fail.
            try? registry.register(kernel: k.kernel.kernel, for: k.op, backend: k.backend, dtypes: k.dtypes)
            names.append(Self.describe(k))
        }
        return (backends.map(\.name), names, overrides)
    }

    /// `add (float32)`: an operator and the dtypes a kernel serves.
    private static func describe(_ k: PendingKernel) -> String {
        k.op + (k.dtypes.map { " (" + $0.map(\.rawValue).sorted().joined(separator: ", ") + ")" } ?? "")
    }

    /// What replacing `what` without permission throws.
    private func refusal(_ what: String) -> TorchError {
        TorchError(.plugin, "plugin '\(guest.name)' \(what), which it did not register; a plugin may add kernels only to its own "
            + "backends (reference's kernels are the oracle). To let it replace them, set \(PluginOverridePolicy.variable)=\(guest.name)")
    }

    fileprivate func addBackend(_ b: BackendDescriptor) throws {
        let direct = try state.withLock { s -> Bool in
            let taken = registry.backendDescriptor(named: b.name) != nil && !guest.placeholderBackends.contains(b.name)
                && Self.backendOwners.withLock { $0[b.name] } != guest.name
            if taken, !s.ownBackends.contains(b.name) {
                guard guest.mayOverride else { throw refusal("registers backend '\(b.name)'") }
                s.overrides.append("backend \(b.name)")
            }
            s.ownBackends.insert(b.name)
            Self.backendOwners.withLock { $0[b.name] = guest.name }
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
            if !s.ownBackends.contains(k.backend) {
                guard registry.backendDescriptor(named: k.backend) != nil else {
                    throw TorchError(.unknownBackend, "kernel '\(k.op)' names backend '\(k.backend)', which is not registered")
                }
                guard guest.mayOverride else { throw refusal("registers a kernel for '\(k.op)' on backend '\(k.backend)'") }
                s.overrides.append("\(k.backend): \(Self.describe(k))")
            }
            if s.committed { return true }
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

    /// Checks the size a plugin gives its `st_backend` before any other field is read. Every
    /// field of ABI 1.0 is needed, so a smaller struct (often a missing `.struct_size =
    /// sizeof(st_backend)`) is refused; a larger one is accepted only from a plugin built for
    /// a later minor version, whose extra fields the host does not read.
    fileprivate func checkBackendSize(_ size: Int) throws {
        let known = MemoryLayout<st_backend>.size
        let newer = guest.abiMinor > UInt32(ST_ABI_MINOR)
        guard size == known || (size > known && newer) else {
            throw TorchError(.plugin, "plugin '\(guest.name)' (ABI \(ST_ABI_MAJOR).\(guest.abiMinor)): register_backend got an st_backend "
                + "whose struct_size is \(size), but ABI \(ST_ABI_MAJOR).\(ST_ABI_MINOR)'s st_backend is \(known) bytes"
                + (newer ? " or more" : "") + "; set .struct_size = sizeof(st_backend) and build against this SwiftTorch's swifttorch_plugin.h")
        }
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
    /// The device a plugin names, or nil for a family or index the ABI does not define.
    init?(checkedABI d: st_device) {
        switch d.type {
        case Int32(ST_DEVICE_CPU.rawValue): self = .cpu
        case Int32(ST_DEVICE_CUDA.rawValue) where d.index >= 0: self = .cuda(Int(d.index))
        default: return nil
        }
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
    do {
        let host = try PluginHost.from(context, "register_backend")
        guard let backend else { throw TorchError(.invalidArgument, "register_backend: the backend is NULL") }
        try host.checkBackendSize(backend.pointee.struct_size)
        guard let name = backend.pointee.name.map({ String(cString: $0) }), !name.isEmpty else {
            throw TorchError(.invalidArgument, "register_backend: a backend needs a name")
        }
        try host.addBackend(PluginBackend.descriptor(name: name, backend.pointee))
        return Int32(ST_OK)
    } catch {
        return fail(errorContext, error)
    }
}

private let hostRegisterKernel: @convention(c) (UnsafeMutableRawPointer?, UnsafePointer<CChar>?, UnsafePointer<CChar>?, UInt32,
                                                st_kernel_fn?, UnsafeMutableRawPointer?, UnsafeMutableRawPointer?) -> Int32 = {
    context, backend, op, mask, function, data, errorContext in
    do {
        let host = try PluginHost.from(context, "register_kernel")
        guard let backend, let op, let function else {
            throw TorchError(.invalidArgument, "register_kernel: backend, op and kernel must not be NULL")
        }
        let dtypes = mask == 0 ? nil : Set(DType.allCases.filter { mask & (1 << UInt32($0.abi)) != 0 })
        let kernel = PluginKernel(function: function, data: data, op: String(cString: op), backend: String(cString: backend), host: host.api)
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
        let host = try PluginHost.from(context, "allocate")
        // size_t arrives as Int: a request above Int.max is negative here, and no machine has it.
        guard bytes >= 0 else {
            throw TorchError(.outOfMemory, "plugin '\(host.guest.name)': allocate: can't allocate memory: it asked for "
                + "\(UInt(bitPattern: bytes)) bytes, more than any machine can address")
        }
        guard let target = Device(checkedABI: device) else {
            throw TorchError(.invalidArgument, "plugin '\(host.guest.name)': allocate: unknown device {type \(device.type), index \(device.index)}")
        }
        return try host.allocate(target, bytes)
    } catch {
        _ = fail(errorContext, error)
        return nil
    }
}

private let hostRelease: @convention(c) (UnsafeMutableRawPointer?, st_device, UnsafeMutableRawPointer?) -> Void = { context, _, pointer in
    // release has no error channel: a bad context or pointer is ignored rather than trusted.
    guard let pointer, let host = try? PluginHost.from(context, "release") else { return }
    host.release(pointer)
}

private let hostNotice: @convention(c) (UnsafeMutableRawPointer?, UnsafePointer<CChar>?) -> Void = { _, message in
    guard let message else { return }
    FileHandle.standardError.write(Data((String(cString: message) + "\n").utf8))
}
