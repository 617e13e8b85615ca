import Foundation
import SwiftTorchCore

/// The result of one case on one backend.
public enum CaseOutcome: Sendable, Equatable {
    /// The outputs (and gradients) matched, or the expected error was thrown.
    case passed
    /// A mismatch or an unexpected error, and the largest difference seen.
    case failed(String, maxDifference: Double)
    /// Not run, and why (for instance, the backend lacks the dtype).
    case skipped(String)
}

/// One line of a conformance run.
public struct CaseResult: Sendable {
    /// The case's id.
    public let caseID: String
    /// The operator under test.
    public let op: String
    /// The operator's group, such as `elementwise`.
    public let group: String
    /// The backend the case ran on.
    public let backend: String
    /// What happened.
    public let outcome: CaseOutcome
}

/// Runs conformance cases on backends through the dispatcher, as a user's call would run.
public struct ConformanceRunner {
    /// Backends to run on; empty means every available backend.
    public var backends: [String]
    /// Only cases whose id contains this text (or matches it as a `*` glob).
    public var filter: String?

    /// A runner over `backends` (every available one when empty) and the cases matching `filter`.
    public init(backends: [String] = [], filter: String? = nil) {
        self.backends = backends
        self.filter = filter
    }

    /// The backends a run uses: the requested ones (checked), else every available one.
    public func resolvedBackends() throws -> [String] {
        let registry = Runtime.registry
        if backends.isEmpty {
            return registry.backends.filter { $0.availability.isAvailable }.map(\.name)
        }
        for name in backends {
            _ = try Runtime.resolvePriority(name)
        }
        return backends
    }

    /// Runs every selected case on every backend and collects the results.
    public func run(_ cases: [ConformanceCase]) throws -> ConformanceReport {
        let names = try resolvedBackends()
        let selected = cases.filter { matches($0) }
        var results: [CaseResult] = []
        for backend in names {
            for c in selected {
                let group = Runtime.registry.operator(named: c.op)?.definition.group.rawValue ?? "unknown"
                results.append(CaseResult(caseID: c.id, op: c.op, group: group, backend: backend, outcome: run(c, on: backend)))
            }
        }
        return ConformanceReport(results: results)
    }

    func matches(_ c: ConformanceCase) -> Bool {
        guard let filter, !filter.isEmpty else { return true }
        if filter.contains("*") { return fnmatch(filter, c.id, 0) == 0 }
        return c.id.contains(filter) || c.op == filter
    }

    /// Runs one case; never throws: every error becomes an outcome.
    public func run(_ c: ConformanceCase, on backend: String) -> CaseOutcome {
        if let problem = c.problem {
            return .failed("malformed case: \(problem)", maxDifference: 0)
        }
        guard let op = Runtime.registry.operator(named: c.op) else {
            return .failed("unknown operator '\(c.op)': SwiftTorch has no operator of that name (swifttorch ops lists them)", maxDifference: 0)
        }
        let dispatcher: Dispatcher
        do { dispatcher = try Runtime.dispatcher() } catch { return .failed("\(error)", maxDifference: 0) }
        if dispatcher.fallbackIsError, op.definition.composite == nil, !op.implementingBackends.contains(backend) {
            return .skipped("\(backend) has no kernel for '\(c.op)' (SWIFTTORCH_FALLBACK=error)")
        }
        do {
            // With SWIFTTORCH_FALLBACK=error only the operator under test must run on this
            // backend; a dtype it has no kernel for is a skip, not a failure.
            return try Dispatcher.withStrictOperator(dispatcher.fallbackIsError ? c.op : nil) {
                try Runtime.withBackend(backend) {
                let arguments: Arguments
                do {
                    arguments = try bind(c, op)
                } catch {
                    return .failed("cannot build the call: \(error)", maxDifference: 0)
                }
                let withGradient = c.grad != nil && !c.error
                if withGradient {
                    for t in arguments.tensors where t.dtype.isFloatingPoint { t.requiresGrad = true }
                }
                let outputs: [Tensor]
                do {
                    outputs = try GradMode.withGradEnabled(withGradient) { try dispatcher.call(op, arguments) }
                } catch let error as TorchError {
                    if dispatcher.fallbackIsError, error.kind == .noKernel, error.message.hasPrefix("\(c.op):") {
                        return .skipped("\(backend) has no kernel for this case's dtype (SWIFTTORCH_FALLBACK=error): \(error.message)")
                    }
                    return c.error ? .passed : .failed("unexpected error: \(error.message)", maxDifference: 0)
                }
                if c.error { return .failed("expected an error (\(c.why ?? "invalid input")) but the call succeeded", maxDifference: 0) }
                let forward = try compareOutputs(c, outputs)
                guard forward == .passed, withGradient, let grad = c.grad else { return forward }
                return try compareGradients(c, grad, arguments, outputs[0])
            }
            }
        } catch {
            return .failed("\(error)", maxDifference: 0)
        }
    }

    /// Maps a case onto the schema: `inputs` fill the tensor arguments in order, `args` are keywords.
    func bind(_ c: ConformanceCase, _ op: OperatorHandle) throws -> Arguments {
        let tensorSlots = op.schema.tensorArgumentIndices.map { op.schema.arguments[$0].name }
        guard c.inputs.count <= tensorSlots.count else {
            throw TorchError(.invalidArgument, "\(c.op) takes \(tensorSlots.count) tensor inputs, the case gives \(c.inputs.count)")
        }
        var keywords: [(String, ArgumentValue)] = []
        for (name, input) in zip(tensorSlots, c.inputs) {
            switch input {
            case .tensor(let t): keywords.append((name, .tensor(try t.makeTensor())))
            case .list(let ts): keywords.append((name, .tensorList(try ts.map { try $0.makeTensor() })))
            case .null: keywords.append((name, .none))
            }
        }
        for (name, arg) in c.args.sorted(by: { $0.key < $1.key }) { keywords.append((name, arg.value)) }
        return try op.schema.bind([], keywords)
    }

    /// Backpropagates `sum(output0 * output_grad)` and compares each input's gradient; an
    /// input that received none compares as zeros.
    func compareGradients(_ c: ConformanceCase, _ grad: CaseGradient, _ arguments: Arguments, _ output: Tensor) throws -> CaseOutcome {
        let seed = try grad.outputGrad.makeTensor()
        if output.requiresGrad {
            try output.backward(gradient: seed.to(output.dtype))
        }
        let inputs = arguments.tensors
        var expectedGrads: [CaseTensor?] = []
        for input in grad.inputs {
            switch input {
            case .tensor(let t): expectedGrads.append(t)
            case .list(let ts): expectedGrads += ts.map { Optional($0) }
            case .null: expectedGrads.append(nil)
            }
        }
        for (i, (tensor, expected)) in zip(inputs, expectedGrads).enumerated() {
            guard let expected else { continue }
            let actual = try tensor.grad ?? Tensor.zeros(like: tensor)
            let tolerance = Tolerance(rtol: c.rtol ?? Tolerance.default(for: expected.dtype).rtol,
                                      atol: c.atol ?? Tolerance.default(for: expected.dtype).atol)
            if let mismatch = try TensorComparison.compare(actual, expected.makeTensor(), tolerance: tolerance) {
                return .failed("gradient of input \(i): \(mismatch.message)", maxDifference: mismatch.maxDifference)
            }
        }
        return .passed
    }

    func compareOutputs(_ c: ConformanceCase, _ outputs: [Tensor]) throws -> CaseOutcome {
        let expected = c.expected ?? []
        guard outputs.count == expected.count else {
            return .failed("expected \(expected.count) outputs, got \(outputs.count)", maxDifference: 0)
        }
        for (i, (out, exp)) in zip(outputs, expected).enumerated() {
            let tolerance = c.rtol.map { Tolerance(rtol: $0, atol: c.atol ?? Tolerance.default(for: exp.dtype).atol) }
                ?? c.atol.map { Tolerance(rtol: Tolerance.default(for: exp.dtype).rtol, atol: $0) }
            if let mismatch = try TensorComparison.compare(out, exp.makeTensor(), tolerance: tolerance) {
                return .failed("output \(i): \(mismatch.message)", maxDifference: mismatch.maxDifference)
            }
        }
        return .passed
    }
}
