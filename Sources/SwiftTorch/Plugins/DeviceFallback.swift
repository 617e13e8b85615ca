import Foundation
import Synchronization
import SwiftTorchCore

/// `SWIFTTORCH_<BACKEND>_FALLBACK=cpu` (for example `SWIFTTORCH_CUDA_FALLBACK=cpu`): an
/// operator that a device backend has no kernel for runs on the CPU instead, with its
/// tensors copied to the host and its results copied back. Each operator warns once; the
/// counts are in ``counts`` and, with `SWIFTTORCH_TRACE=1`, in the trace.
///
/// Without the variable such an operator is an error naming it, as PyTorch's would be.
public enum DeviceFallback {
    private struct State {
        var enabled: Set<String> = []
        var counts: [String: Int] = [:]
        var trace = false
    }
    private static let state = Mutex(State())

    /// How many times each operator ran on the CPU instead of its device backend
    /// (`"cuda: sum"` → 3), since the process started.
    public static var counts: [String: Int] { state.withLock { $0.counts } }

    /// Device backends whose missing operators fall back to the CPU.
    public static var enabledBackends: [String] {
        _ = Runtime.registry
        return state.withLock { $0.enabled.sorted() }
    }

    /// The environment variable that enables the fallback for `backend`.
    public static func variable(for backend: String) -> String { "SWIFTTORCH_\(backend.uppercased())_FALLBACK" }

    /// Reads the `SWIFTTORCH_*_FALLBACK` variables of device backends; nil when none asks
    /// for the CPU. Unknown values are an error, as for the other `SWIFTTORCH_*` variables.
    static func provider(environment: [String: String]) throws -> (@Sendable (OperatorHandle, BackendDescriptor) -> Kernel?)? {
        var enabled: Set<String> = []
        for backend in operatorRegistry.backends where !backend.deviceKind.isCPU {
            let key = variable(for: backend.name)
            switch environment[key]?.lowercased() {
            case nil, "", "none", "error": break
            case "cpu": enabled.insert(backend.name)
            case let other?:
                throw TorchError(.invalidArgument, "\(key)='\(other)' is not valid; use 'cpu' or leave it unset")
            }
        }
        // Per-call lines only; the summary counts the fallen-back calls with the others.
        let trace = (try? TraceMode(environment: environment["SWIFTTORCH_TRACE"])) == .calls
        state.withLock { $0.enabled = enabled; $0.trace = trace }
        if enabled.isEmpty { return nil }
        let backends = enabled
        return { op, backend in
            // The copies themselves must run on the device: no fallback for them.
            guard backends.contains(backend.name), op.name != "_to_copy", op.name != "copy_" else { return nil }
            return kernel(op, backend: backend.name)
        }
    }

    private static func kernel(_ op: OperatorHandle, backend: String) -> Kernel {
        { call in
            note(op.name, backend: backend)
            let device = call.outputs.first?.device ?? call.arguments.tensors.first?.device ?? .cuda(0)
            var host = call.arguments
            host.values = try host.values.map { value in
                switch value {
                case .tensor(let t): .tensor(try t.to(.cpu))
                case .tensorList(let ts): .tensorList(try ts.map { try $0.to(.cpu) })
                default: value
                }
            }
            // An in-place operator writes some of its host copies (self; a fused optimizer
            // step also its state lists), and every write bumps the copy's version: exactly
            // the copies whose version moved go back.
            let versions = host.tensors.map { $0.storage.version }
            // On host tensors the dispatcher picks the CPU backends and reruns the meta
            // rules, which are idempotent on arguments they already normalised.
            let results = try Runtime.dispatcher().callBelowAutograd(op, host)
            for (out, result) in zip(call.outputs, results) {
                try writeBack(result, into: out, device: device)
            }
            if op.schema.isInPlace {
                for (target, (written, version)) in zip(call.arguments.tensors, zip(host.tensors, versions))
                where !target.device.isCPU && written.storage.version != version {
                    try writeBack(written, into: target, device: device)
                }
            }
        }
    }

    /// Copies a host result into a device tensor the dispatcher already allocated.
    private static func writeBack(_ result: Tensor, into target: Tensor, device: Device) throws {
        let host = try result.contiguous()
        let shaped = try Tensor(viewOf: host, shape: target.shape, strides: Tensor.contiguousStrides(for: target.shape), offset: host.offset)
        _ = try Runtime.dispatcher().callBelowAutograd(Op.copy_, Op.copy_.schema.bind([.tensor(target), .tensor(try shaped.to(device))]))
    }

    private static func note(_ op: String, backend: String) {
        let (first, count, trace) = state.withLock { s -> (Bool, Int, Bool) in
            let key = "\(backend): \(op)"
            s.counts[key, default: 0] += 1
            return (s.counts[key] == 1, s.counts[key]!, s.trace)
        }
        if first {
            let line = "SwiftTorch: \(backend) has no kernel for '\(op)'; running it on the CPU with copies (\(variable(for: backend))=cpu)\n"
            FileHandle.standardError.write(Data(line.utf8))
        }
        if trace {
            FileHandle.standardError.write(Data("[swifttorch] fallback \(op) \(backend)->cpu count=\(count)\n".utf8))
        }
    }
}
