import Foundation
import SwiftTorch
import Testing

// The PyTorch-generated case files, run on every CPU backend through the same runner as
// `swifttorch conformance`: the shared pytorch-cases.json and SwiftTorch's own nn-cases.json
// (Resources/make-nn-cases.py). Every operator they name is in SwiftTorch, so nothing may
// fail and nothing may be skipped.

private enum CaseFiles {
    static let names = ["pytorch-cases", "nn-cases"]

    /// Each file decoded once (decoding is the slow part).
    static let files = BundledCaseFiles.load(names)

    static func file(_ name: String) throws -> ConformanceFile { try #require(files[name]).get() }
}

@Suite("PyTorch conformance files")
struct ConformanceFileTests {
    @Test("the files load with their format and unique case ids", arguments: CaseFiles.names)
    func filesLoad(_ name: String) throws {
        let file = try CaseFiles.file(name)
        #expect(file.format == "swifttorch-conformance/1")
        #expect(file.cases.count > (name == "pytorch-cases" ? 400 : 40))
        #expect(Set(file.cases.map(\.id)).count == file.cases.count)
    }

    @Test("every case passes on every CPU backend, forward and gradients, none skipped",
          arguments: CaseFiles.names, ["reference", "openmp", "blas"])
    func everyCasePasses(_ name: String, backend: String) throws {
        let file = try CaseFiles.file(name)
        // The environment may say SWIFTTORCH_FALLBACK=error; here each backend runs with its
        // usual fall-through (the CLI run in scripts/test.sh checks the strict mode).
        let report = try Dispatcher.withFallbackIsError(false) {
            try ConformanceRunner(backends: [backend]).run(file.cases)
        }
        #expect(report.results.count == file.cases.count)
        #expect(report.failed.isEmpty, "\(report.render())")
        let skipped = report.results.filter { if case .skipped = $0.outcome { true } else { false } }
        #expect(skipped.isEmpty, "skipped: \(skipped.map(\.caseID))")
    }

    @Test("every operator group of the shared file's vocabulary has cases, the nn group included")
    func everyGroupIsCovered() throws {
        let ops = Set(try CaseFiles.names.flatMap { try CaseFiles.file($0).cases.map(\.op) })
        for op in ["conv2d", "max_pool2d", "avg_pool2d", "layer_norm", "batch_norm", "embedding", "one_hot", "dropout"] {
            #expect(ops.contains(op), "no case exercises \(op)")
            #expect(Runtime.registry.operator(named: op) != nil, "\(op) is not registered")
        }
    }
}
