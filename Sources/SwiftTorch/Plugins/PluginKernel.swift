import CSwiftTorchABI
import Foundation
import SwiftTorchCore

/// A plugin's kernel as the registry holds it: the C function and what to pass it. Calling
/// it turns the `KernelCall` into C descriptors (`st_kernel_call`) that live for the call.
struct PluginKernel: @unchecked Sendable {
    let function: st_kernel_fn
    let data: UnsafeMutableRawPointer?
    let opName: String
    let backendName: String
    let host: UnsafePointer<st_host_api>
    /// C copies of the names, made once: they are passed on every call.
    private let op: UnsafeMutablePointer<CChar>
    private let backend: UnsafeMutablePointer<CChar>

    init(function: st_kernel_fn, data: UnsafeMutableRawPointer?, op: String, backend: String, host: UnsafeMutablePointer<st_host_api>) {
        self.function = function
        self.data = data
        self.opName = op
        self.backendName = backend
        self.host = UnsafePointer(host)
        self.op = strdup(op)
        self.backend = strdup(backend)
    }

    var kernel: Kernel { { call in try self.run(call) } }

    func run(_ call: KernelCall) throws {
        let arena = CallArena()
        defer { arena.free() }
        let arguments = arena.arguments(call.arguments)
        let outputs = arena.tensorPointers(call.outputs)
        let errors = PluginErrorBox()
        var c = st_kernel_call(
            struct_size: MemoryLayout<st_kernel_call>.size, op: op, backend: backend,
            argument_count: Int32(call.arguments.values.count), output_count: Int32(call.outputs.count),
            arguments: arguments, outputs: outputs, kernel_data: data, host: host, error_context: errors.context)
        // The tensors in `call` keep every storage alive until the kernel returns.
        let status = withExtendedLifetime(call) { function(&c) }
        if status != Int32(ST_OK) { throw errors.error("\(backendName) kernel for \(opName)") }
    }
}

/// Memory for one call's C descriptors, freed together when the call returns.
final class CallArena {
    private var blocks: [UnsafeMutableRawPointer] = []

    func free() {
        for b in blocks { b.deallocate() }
        blocks = []
    }

    private func buffer<T>(_ type: T.Type, count: Int) -> UnsafeMutablePointer<T> {
        let p = UnsafeMutablePointer<T>.allocate(capacity: Swift.max(count, 1))
        blocks.append(UnsafeMutableRawPointer(p))
        return p
    }

    func int64s(_ values: [Int]) -> UnsafePointer<Int64> {
        let p = buffer(Int64.self, count: values.count)
        for (i, v) in values.enumerated() { p[i] = Int64(v) }
        return UnsafePointer(p)
    }

    func cString(_ s: String) -> UnsafePointer<CChar> {
        let utf8 = Array(s.utf8CString)
        let p = buffer(CChar.self, count: utf8.count)
        p.initialize(from: utf8, count: utf8.count)
        return UnsafePointer(p)
    }

    func tensor(_ t: Tensor) -> UnsafePointer<st_tensor> {
        let p = buffer(st_tensor.self, count: 1)
        p.initialize(to: st_tensor(
            struct_size: MemoryLayout<st_tensor>.size, device: t.device.abi, dtype: t.dtype.abi, rank: Int32(t.rank),
            shape: int64s(t.shape), strides: int64s(t.strides), offset: Int64(t.offset), data: t.storage.data,
            flags: t.isWrappedNumber ? UInt32(ST_TENSOR_WRAPPED_NUMBER) : 0))
        return UnsafePointer(p)
    }

    func tensorPointers(_ ts: [Tensor]) -> UnsafePointer<UnsafePointer<st_tensor>?> {
        let p = buffer(UnsafePointer<st_tensor>?.self, count: ts.count)
        for (i, t) in ts.enumerated() { p[i] = tensor(t) }
        return UnsafePointer(p)
    }

    /// Every declared argument in schema order, by name and kind.
    func arguments(_ args: Arguments) -> UnsafePointer<st_argument> {
        let p = buffer(st_argument.self, count: args.values.count)
        for (i, (declared, value)) in zip(args.schema.arguments, args.values).enumerated() {
            var a = st_argument()
            a.name = cString(declared.name)
            switch value {
            case .none:
                a.kind = kind(ST_VALUE_NONE)
            case .tensor(let t):
                a.kind = kind(ST_VALUE_TENSOR); a.count = 1; a.value.tensors = tensorPointers([t])
            case .tensorList(let ts):
                a.kind = kind(ST_VALUE_TENSOR_LIST); a.count = Int32(ts.count); a.value.tensors = tensorPointers(ts)
            case .int(let v):
                a.kind = kind(ST_VALUE_INT); a.value.i = Int64(v)
            case .ints(let vs):
                a.kind = kind(ST_VALUE_INT_LIST); a.count = Int32(vs.count); a.value.ints = int64s(vs)
            case .double(let v):
                a.kind = kind(ST_VALUE_DOUBLE); a.value.d = v
            case .bool(let v):
                a.kind = kind(ST_VALUE_BOOL); a.value.i = v ? 1 : 0
            case .string(let s):
                a.kind = kind(ST_VALUE_STRING); a.value.s = cString(s)
            case .dtype(let d):
                a.kind = kind(ST_VALUE_DTYPE); a.value.i = Int64(d.abi)
            case .device(let d):
                a.kind = kind(ST_VALUE_DEVICE); a.value.device = d.abi
            }
            p.advanced(by: i).initialize(to: a)
        }
        return UnsafePointer(p)
    }

    private func kind(_ k: st_value_kind) -> Int32 { Int32(k.rawValue) }
}
