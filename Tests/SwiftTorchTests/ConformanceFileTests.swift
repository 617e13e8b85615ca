import Foundation
import SwiftTorch
import Testing

// The PyTorch-generated case file, run on the reference backend through the same runner
// as `swifttorch conformance`.

/// Operators of PyTorch's nn functional group that SwiftTorch does not have yet; the file's
/// cases for them are the only ones a run may skip.
private let operatorsNotInSwiftTorch: Set<String> = [
    "conv2d", "max_pool2d", "avg_pool2d", "layer_norm", "batch_norm", "embedding", "one_hot", "dropout",
]

/// The file and its run on the reference backend, made once and shared by the tests below
/// (decoding the file is the slow part).
private enum ReferenceRun {
    static let file: Result<ConformanceFile, any Error> = Result {
        guard let url = Bundle.module.url(forResource: "pytorch-cases", withExtension: "json", subdirectory: "Resources") else {
            throw TorchError(.io, "pytorch-cases.json is missing from the test bundle's Resources")
        }
        return try ConformanceFile.load(url.path)
    }

    static let report: Result<ConformanceReport, any Error> = Result {
        let cases = try file.get().cases
        // The environment may say SWIFTTORCH_FALLBACK=error; the reference backend is run as it is.
        return try Dispatcher.$scopedFallbackIsError.withValue(false) {
            try ConformanceRunner(backends: ["reference"]).run(cases)
        }
    }
}

@Suite("PyTorch conformance file")
struct ConformanceFileTests {
    @Test func theFileLoadsWithItsFormatAndCases() throws {
        let file = try ReferenceRun.file.get()
        #expect(file.format == "swifttorch-conformance/1")
        #expect(file.cases.count > 400)
        #expect(Set(file.cases.map(\.id)).count == file.cases.count)
    }

    @Test func everyCaseOfAnOperatorSwiftTorchHasPassesOnTheReferenceBackend() throws {
        let file = try ReferenceRun.file.get()
        let report = try ReferenceRun.report.get()
        #expect(report.results.count == file.cases.count)
        #expect(report.failed.isEmpty, "\(report.render())")
    }

    @Test func onlyOperatorsSwiftTorchDoesNotHaveAreSkipped() throws {
        let report = try ReferenceRun.report.get()
        let skipped = report.results.filter { if case .skipped = $0.outcome { return true } else { return false } }
        let skippedOps = Set(skipped.map(\.op))
        #expect(skippedOps.isSubset(of: operatorsNotInSwiftTorch), "unexpected skips: \(skippedOps.subtracting(operatorsNotInSwiftTorch))")
        for op in skippedOps {
            #expect(Runtime.registry.operator(named: op) == nil, "\(op) is registered but its cases were skipped")
        }
    }
}
