import Testing
import SwiftTorch
import SwiftTorchCore

/// Every kernel of every backend, compared with the reference backend on samples derived
/// from the registry (see OpSamples). A kernel registered tomorrow is tested here with no
/// new test code.
@Suite("Cross-backend equivalence")
struct EquivalenceTests {
    static var backends: [String] {
        Runtime.registry.backends.filter { $0.availability.isAvailable && $0.deviceKind.isCPU && $0.name != "reference" }.map(\.name)
    }

    @Test("backend kernels agree with the reference backend", arguments: EquivalenceTests.backends)
    func agreesWithReference(backend: String) throws {
        let dispatcher = try Runtime.dispatcher()
        var checked = 0, implemented = 0
        for op in Runtime.registry.operators where op.implementingBackends.contains(backend) {
            implemented += 1
            for dtype in [DType.float32, .float64] where op.kernel(backend: backend, dtype: dtype) != nil {
                let samples = try OpSamples(dtype: dtype, forGradcheck: false).samples(for: op)
                guard let samples, !samples.isEmpty else {
                    Issue.record("no samples describe operator '\(op.name)'; add its family to OpSamples")
                    continue
                }
                for sample in samples {
                    let label = "\(op.name) [\(sample.label)] \(dtype) on \(backend)"
                    let ours = try run(op, sample, on: backend, dispatcher: dispatcher, fallbackIsError: true)
                    let reference = try run(op, sample, on: "reference", dispatcher: dispatcher, fallbackIsError: true)
                    switch (ours, reference) {
                    case (.failure, .failure(let e)):
                        // Samples are meant to be valid calls: a refusal means a broken sample.
                        Issue.record("\(label): the reference backend refuses the sample: \(e)")
                    case (.failure(let e), .success):
                        Issue.record("\(label): failed where reference succeeded: \(e)")
                    case (.success, .failure(let e)):
                        Issue.record("\(label): succeeded where reference failed: \(e)")
                    case (.success(let a), .success(let b)):
                        #expect(a.count == b.count, "\(label): output count")
                        for (i, (x, y)) in zip(a, b).enumerated() {
                            let tolerance = ReferenceCheck.tolerance(for: op, dtype: y.dtype, terms: sample.terms)
                            if let mismatch = try TensorComparison.compare(x, y, tolerance: tolerance) {
                                Issue.record("\(label) output \(i): \(mismatch.message)")
                            }
                        }
                    }
                    checked += 1
                }
            }
        }
        #expect(implemented == 0 || checked > 0, "\(backend) has kernels but no sample ran")
    }

    /// Runs a sample on one backend. In-place operators write into private copies of their
    /// tensors that keep each view's layout; their outputs are every tensor they were given
    /// (self and, for the fused optimizer steps, the state lists), each as its whole
    /// storage, so that a write outside the view shows too.
    func run(_ op: OperatorHandle, _ sample: OpSample, on backend: String, dispatcher: Dispatcher,
             fallbackIsError: Bool) throws -> Result<[Tensor], TorchError> {
        var keywords = sample.keywords
        let inPlace = op.name.hasSuffix("_")
        if inPlace {
            keywords = try keywords.map { name, value in
                switch value {
                case .tensor(let t) where !t.isWrappedNumber: (name, .tensor(try t.cloneKeepingLayout()))
                case .tensorList(let ts): (name, .tensorList(try ts.map { try $0.cloneKeepingLayout() }))
                default: (name, value)
                }
            }
        }
        return try Runtime.withBackend(backend) {
            try Dispatcher.withFallbackIsError(fallbackIsError) {
                do {
                    let arguments = try op.schema.bind([], keywords)
                    let outputs = try dispatcher.call(op, arguments)
                    let written = keywords.flatMap { _, value -> [Tensor] in
                        switch value {
                        case .tensor(let t) where !t.isWrappedNumber: [t.wholeStorage()]
                        case .tensorList(let ts): ts.map { $0.wholeStorage() }
                        default: []
                        }
                    }
                    return .success(inPlace ? written : outputs)
                } catch let error as TorchError {
                    return .failure(error)
                }
            }
        }
    }
}
