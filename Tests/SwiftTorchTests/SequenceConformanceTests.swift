import Foundation
import SwiftTorch
import SwiftTorchCore
import Testing

// The sequence operators' PyTorch-computed cases: issue 13's shared file
// (sequence-cases.json, copied from ../shared/conformance/sequence) and SwiftTorch's own
// (sequence-op-cases.json, Resources/make-sequence-op-cases.py: broadcasting,
// non-contiguous views, empty and 0-d inputs, NaN and infinities, errors). They run with
// SWIFTTORCH_FALLBACK=error semantics: each backend must compute every operator it claims.

private enum SequenceCaseFiles {
    static let names = ["sequence-cases", "sequence-op-cases"]

    static let files = BundledCaseFiles.load(names)

    static func file(_ name: String) throws -> ConformanceFile { try #require(files[name]).get() }
}

@Suite("Sequence operators: PyTorch conformance")
struct SequenceConformanceTests {
    @Test("every case passes with SWIFTTORCH_FALLBACK=error; reference and openmp skip none",
          arguments: SequenceCaseFiles.names, ["reference", "openmp", "blas"])
    func everyCasePasses(_ name: String, backend: String) throws {
        let file = try SequenceCaseFiles.file(name)
        let report = try Dispatcher.withFallbackIsError(true) {
            try ConformanceRunner(backends: [backend]).run(file.cases)
        }
        #expect(report.results.count == file.cases.count)
        #expect(report.failed.isEmpty, "\(report.render())")
        let skipped = report.results.filter { if case .skipped = $0.outcome { true } else { false } }
        if backend == "blas" {
            // blas implements the matrix products only: it may skip the elementwise
            // operators, never the composites that run its GEMMs.
            #expect(skipped.allSatisfy { Runtime.registry.operator(named: $0.op)?.definition.composite == nil })
        } else {
            #expect(skipped.isEmpty, "skipped: \(skipped.map(\.caseID))")
        }
    }

    @Test("the shared file covers every operator of issue 13")
    func sharedFileCoversEveryOperator() throws {
        let ops = Set(try SequenceCaseFiles.file("sequence-cases").cases.map(\.op))
        for op in ["masked_fill", "tril", "triu", "leaky_relu", "elu", "split", "chunk", "scaled_dot_product_attention",
                   "lstm_cell", "gru_cell", "rnn_tanh_cell"] {
            #expect(ops.contains(op), "no case exercises \(op)")
        }
    }

    @Test("SwiftTorch's own cases cover broadcasting, views, empty, 0-d, specials and errors for each operator")
    func ownCasesCoverEachEdge() throws {
        let cases = try SequenceCaseFiles.file("sequence-op-cases").cases
        #expect(Set(cases.map(\.id)).count == cases.count)
        for op in ["masked_fill", "tril", "triu", "leaky_relu", "elu", "split", "split_with_sizes", "chunk",
                   "scaled_dot_product_attention", "lstm_cell", "gru_cell", "rnn_tanh_cell"] {
            let tags = Set(cases.filter { $0.op == op }.flatMap(\.tags))
            for tag in ["noncontiguous", "empty", "specials", "error"] {
                #expect(tags.contains(tag), "\(op) has no \(tag) case")
            }
        }
    }
}
