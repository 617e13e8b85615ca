import Foundation
import SwiftTorchCore

/// Runs module fixtures on backends: builds each SwiftTorch module, loads PyTorch's state
/// dict, runs the fixture's call and compares outputs, input gradients and parameter
/// gradients (of `sum(output0 * output_grad)`) within the file's tolerance.
///
/// PyTorch's `repr` of attention layers leaves out `num_heads`, `batch_first`, `norm_first`
/// and `activation`. A fixture may give them in `options`; when it does not, each
/// assignment of the missing ones is tried on the forward output, and the first that
/// matches is used for the full check (outputs and every gradient), and reported.
public struct ModuleFixtureRunner {
    /// Backends to run on; empty means every available backend.
    public var backends: [String]
    /// Only fixtures whose name contains this text.
    public var filter: String?

    /// A runner over `backends` (empty: every available one) and the fixtures matching `filter`.
    public init(backends: [String] = [], filter: String? = nil) {
        self.backends = backends
        self.filter = filter
    }

    /// The results (one per fixture and backend, group `module`) and one line per fixture
    /// whose options were found by trying.
    public func run(_ file: ModuleFixtureFile) throws -> (report: ConformanceReport, inferred: [String]) {
        let names = try ConformanceRunner(backends: backends).resolvedBackends()
        var results: [CaseResult] = []
        var inferred: [String] = []
        for fixture in file.fixtures where filter.map({ fixture.name.contains($0) }) ?? true {
            let (options, note) = chooseOptions(fixture, in: file, backend: names.first ?? "reference")
            if let note { inferred.append("\(fixture.name): \(note)") }
            for backend in names {
                results.append(CaseResult(caseID: fixture.name, op: ModuleFixtureBuilder.typeName(fixture), group: "module",
                                          backend: backend, outcome: run(fixture, in: file, options: options, on: backend)))
            }
        }
        return (ConformanceReport(results: results), inferred)
    }

    /// The options to use: none to choose when the fixture gives everything, else the first
    /// candidate whose forward output matches, with a note saying which.
    func chooseOptions(_ fixture: ModuleFixture, in file: ModuleFixtureFile, backend: String) -> ([String: String], String?) {
        let candidates = ModuleFixtureBuilder.candidateOptions(fixture, stateDict: file.stateDict(of: fixture))
        guard candidates.count > 1 else { return (candidates.first ?? [:], nil) }
        for candidate in candidates where run(fixture, in: file, options: candidate, on: backend, forwardOnly: true) == .passed {
            let text = candidate.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", ")
            return (candidate, "\(text) (not in PyTorch's repr; the first assignment whose output matches)")
        }
        return (candidates[0], "no assignment of the options PyTorch's repr leaves out matches the output; reporting the first")
    }

    /// Runs one fixture on one backend; never throws: every error becomes an outcome.
    public func run(_ fixture: ModuleFixture, in file: ModuleFixtureFile, options: [String: String] = [:],
                    on backend: String, forwardOnly: Bool = false) -> CaseOutcome {
        do {
            return try Runtime.withBackend(backend) {
                let stateDict = file.stateDict(of: fixture)
                let model = try ModuleFixtureBuilder.build(fixture, options: options, stateDict: stateDict)
                try model.module.checkConstructed()
                try model.module.loadStateDict(stateDict)
                model.module.eval()
                let inputs = try fixture.inputs.map { key -> Tensor in
                    let t = try file.tensor(key, of: fixture).clone()
                    if t.dtype.isFloatingPoint, !forwardOnly { t.requiresGrad = true }
                    return t
                }
                let outputs = try model.call(inputs)
                guard outputs.count >= fixture.outputs.count else {
                    return .failed("the module gives \(outputs.count) outputs, the fixture expects \(fixture.outputs.count)", maxDifference: 0)
                }
                for (i, key) in fixture.outputs.enumerated() {
                    if let m = try TensorComparison.compare(outputs[i], file.tensor(key, of: fixture), tolerance: file.tolerance) {
                        return .failed("output \(i): \(m.message)", maxDifference: m.maxDifference)
                    }
                }
                guard !forwardOnly, let gradKey = fixture.outputGrad else { return .passed }
                try outputs[0].backward(gradient: file.tensor(gradKey, of: fixture))
                let floatInputs = inputs.filter { $0.dtype.isFloatingPoint }
                for (i, (input, key)) in zip(floatInputs, fixture.inputGrads).enumerated() {
                    let actual = try input.grad ?? Tensor.zeros(like: input)
                    if let m = try TensorComparison.compare(actual, file.tensor(key, of: fixture), tolerance: file.tolerance) {
                        return .failed("gradient of input \(i): \(m.message)", maxDifference: m.maxDifference)
                    }
                }
                let parameters = Dictionary(model.module.namedParameters(), uniquingKeysWith: { a, _ in a })
                for (name, key) in fixture.paramGrads.sorted(by: { $0.key < $1.key }) {
                    guard let parameter = parameters[name] else {
                        return .failed("the module has no parameter '\(name)'", maxDifference: 0)
                    }
                    let actual = try parameter.grad ?? Tensor.zeros(like: parameter)
                    if let m = try TensorComparison.compare(actual, file.tensor(key, of: fixture), tolerance: file.tolerance) {
                        return .failed("gradient of \(name): \(m.message)", maxDifference: m.maxDifference)
                    }
                }
                return .passed
            }
        } catch let error as TorchError {
            // With SWIFTTORCH_FALLBACK=error a module runs only where every operator it uses
            // has a kernel; a backend that lacks one is skipped, as the operator runner skips.
            if error.kind == .noKernel, (try? Runtime.dispatcher().fallbackIsError) == true {
                return .skipped("\(backend) lacks a kernel this module uses (SWIFTTORCH_FALLBACK=error): \(error.message)")
            }
            return .failed(error.message, maxDifference: 0)
        } catch {
            return .failed("\(error)", maxDifference: 0)
        }
    }
}

extension ConformanceReport {
    /// One report of several runs (case files and module-fixture files alike), so that a
    /// run over both ends with one `N passed, N failed, N skipped` line.
    public init(merging reports: [ConformanceReport]) {
        self.init(results: reports.flatMap(\.results))
    }
}
