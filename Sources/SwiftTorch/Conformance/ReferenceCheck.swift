import Foundation
import Synchronization
import SwiftTorchCore

/// `SWIFTTORCH_CHECK=reference`: every operator call on another backend is repeated on the
/// reference backend and compared at the tolerances of the conformance format. The first
/// divergence is printed to standard error as a ready-to-paste conformance case.
public enum ReferenceCheck {
    /// The first divergence seen in this process, as conformance-case JSON.
    public static var firstDivergence: String? { state.withLock { $0 } }

    private static let state = Mutex<String?>(nil)
    @TaskLocal static var isChecking = false

    /// The cross-check the dispatcher runs after each kernel, or nil when `value` is unset.
    static func fromEnvironment(_ value: String?) throws -> CrossCheck? {
        guard let value, !value.isEmpty, value != "0" else { return nil }
        guard value == "reference" else {
            throw TorchError(.invalidArgument, "SWIFTTORCH_CHECK='\(value)' is not valid; the only checking backend is 'reference'")
        }
        return CrossCheck(backend: "reference") { op, arguments, outputs, backend in
            guard !isChecking else { return }
            try $isChecking.withValue(true) { try verify(op, arguments, outputs, backend) }
        }
    }

    /// The tolerance between backends for an operator (NOTES.md): sums, products and
    /// reductions over K terms get rtol 1e-4 and atol 1e-5 * sqrt(K); the rest the format's defaults.
    public static func tolerance(for op: OperatorHandle, dtype: DType, terms: Int) -> Tolerance? {
        guard dtype.isFloatingPoint else { return nil }
        switch op.definition.group {
        case .reduction, .linalg, .softmax, .loss, .nn:
            return Tolerance(rtol: Swift.max(1e-4, Tolerance.default(for: dtype).rtol),
                             atol: Swift.max(1e-5 * Double(Swift.max(terms, 1)).squareRoot(), Tolerance.default(for: dtype).atol))
        default:
            return nil
        }
    }

    static func verify(_ op: OperatorHandle, _ arguments: Arguments, _ outputs: [Tensor], _ backend: String) throws {
        guard state.withLock({ $0 == nil }) else { return }
        let dtype = arguments.tensors.first(where: { !$0.isWrappedNumber })?.dtype ?? outputs.first?.dtype ?? .float32
        guard let kernel = op.kernel(backend: "reference", dtype: dtype) else { return }
        var hostArguments = arguments
        hostArguments.values = try arguments.values.map { v in
            switch v {
            case .tensor(let t): .tensor(try t.cpu().contiguousCopy())
            case .tensorList(let ts): .tensorList(try ts.map { try $0.cpu().contiguousCopy() })
            default: v
            }
        }
        let expected = try outputs.map { try Tensor(zerosOnCPU: $0.shape, dtype: $0.dtype) }
        try kernel(KernelCall(arguments: hostArguments, outputs: expected))
        let terms = arguments.tensors.map(\.count).max() ?? 1
        for (i, (out, exp)) in zip(outputs, expected).enumerated() {
            let tolerance = tolerance(for: op, dtype: out.dtype, terms: terms)
            if let mismatch = try TensorComparison.compare(out.cpu(), exp, tolerance: tolerance) {
                let report = try caseJSON(op, arguments, expected, backend: backend, output: i, mismatch: mismatch)
                state.withLock { $0 = $0 ?? report }
                FileHandle.standardError.write(Data("SWIFTTORCH_CHECK: \(op.name) on \(backend) diverges from reference: \(mismatch.message)\n\(report)\n".utf8))
                return
            }
        }
    }

    /// The call as a conformance case: inputs with their strides and storage, the keyword
    /// arguments, and the reference backend's outputs as the expected values.
    static func caseJSON(_ op: OperatorHandle, _ arguments: Arguments, _ expected: [Tensor], backend: String,
                         output: Int, mismatch: Mismatch) throws -> String {
        var inputs: [Any] = []
        var args: [String: Any] = [:]
        for (argument, value) in zip(op.schema.arguments, arguments.values) {
            switch value {
            case .tensor(let t): inputs.append(try tensorJSON(t))
            case .tensorList(let ts): inputs.append(try ts.map(tensorJSON))
            case .int(let v): args[argument.name] = v
            case .ints(let v): args[argument.name] = v
            case .double(let v): args[argument.name] = v.isFinite ? v as Any : "\(v)"
            case .bool(let v): args[argument.name] = v
            case .string(let v): args[argument.name] = v
            case .dtype(let v): args[argument.name] = v.rawValue
            case .device, .none: continue
            }
        }
        let document: [String: Any] = [
            "id": "\(op.name)/\(backend)-divergence", "op": op.name, "inputs": inputs, "args": args,
            "expected": try expected.map(tensorJSON),
            "why": "\(backend) output \(output): \(mismatch.message)", "tags": ["divergence"],
        ]
        let data = try JSONSerialization.data(withJSONObject: document, options: [.sortedKeys])
        return String(decoding: data, as: UTF8.self)
    }

    /// A tensor in the case format: its view geometry over the whole storage it reads.
    static func tensorJSON(_ t: Tensor) throws -> [String: Any] {
        let host = try t.cpu()
        func encode(_ values: [Double]) -> [Any] {
            values.map { v -> Any in
                if v.isNaN { return "nan" }
                if v.isInfinite { return v > 0 ? "inf" : "-inf" }
                return host.dtype == .bool ? (v != 0) as Any : v as Any
            }
        }
        if host.isContiguous && host.offset == 0 {
            let values: [Any] = host.dtype.isFloatingPoint ? encode(host.doubleValues()) : host.int64Values().map { host.dtype == .bool ? ($0 != 0) as Any : $0 as Any }
            return ["dtype": host.dtype.rawValue, "shape": host.shape, "data": values]
        }
        let span = zip(host.shape, host.strides).map { ($0 - 1) * $1 }.reduce(host.offset, +) + 1
        let storage = Tensor(uncheckedViewOf: host, shape: [host.count == 0 ? 0 : span], strides: [1], offset: 0)
        let values: [Any] = host.dtype.isFloatingPoint ? encode(storage.doubleValues()) : storage.int64Values().map { $0 as Any }
        return ["dtype": host.dtype.rawValue, "shape": host.shape, "strides": host.strides, "offset": host.offset, "storage": values]
    }
}

extension Tensor {
    /// A contiguous copy made without dispatching (the reference check must not re-enter
    /// the dispatcher it is checking).
    func contiguousCopy() throws -> Tensor {
        let copy = try Tensor(zerosOnCPU: shape, dtype: dtype)
        if dtype.isFloatingPoint { copy.setDoubleValues(doubleValues()) } else { copy.setInt64Values(int64Values()) }
        return copy
    }
}
