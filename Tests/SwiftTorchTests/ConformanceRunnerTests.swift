import Foundation
import Testing
@testable import SwiftTorch

// A malformed case is that case's failure, with its id; the rest of the file runs. Only a
// file that is not a case file at all is refused whole.

/// A case file whose cases are given as JSON text.
private func caseFile(_ cases: [String]) -> Data {
    Data(#"{"format": "swifttorch-conformance/1", "cases": [\#(cases.joined(separator: ",\n"))]}"#.utf8)
}

/// `add` of two float32 [2] tensors, [1, 2] + [10, 20] = [11, 22], with `first` as self.
private func addCase(_ id: String, first: String = #"{"dtype": "float32", "shape": [2], "data": [1, 2]}"#, op: String = "add") -> String {
    #"{"id": "\#(id)", "op": "\#(op)", "inputs": [\#(first), {"dtype": "float32", "shape": [2], "data": [10, 20]}], "#
        + #""expected": [{"dtype": "float32", "shape": [2], "data": [11, 22]}]}"#
}

/// The failure message of each case by id, and the ids that passed.
private func outcomes(_ data: Data) throws -> (failures: [String: String], passed: [String]) {
    let file = try ConformanceFile.decode(data, name: "cases.json")
    let report = try ConformanceRunner(backends: ["reference"]).run(file.cases)
    #expect(report.results.count == file.cases.count)
    var failures: [String: String] = [:]
    for r in report.results {
        if case .failed(let why, _) = r.outcome { failures[r.caseID] = why }
    }
    return (failures, report.results.filter { $0.outcome == .passed }.map(\.caseID))
}

@Suite("Conformance runner")
struct ConformanceRunnerTests {
    @Test func eachMalformedCaseFailsAloneWithItsIdAndTheRestRuns() throws {
        let cases = [
            addCase("good/before"),
            addCase("bad/dtype", first: #"{"dtype": "float16", "shape": [2], "data": [1, 2]}"#),
            addCase("bad/data-count", first: #"{"dtype": "float32", "shape": [3], "data": [1, 2]}"#),
            addCase("bad/outside-storage", first: #"{"dtype": "float32", "shape": [2], "strides": [1000000], "offset": 0, "storage": [1, 2]}"#),
            addCase("bad/offset", first: #"{"dtype": "float32", "shape": [2], "strides": [1], "offset": 1, "storage": [1, 2]}"#),
            addCase("bad/negative-stride", first: #"{"dtype": "float32", "shape": [2], "strides": [-1], "offset": 1, "storage": [1, 2]}"#),
            addCase("bad/stride-overflow", first: #"{"dtype": "float32", "shape": [3, 2], "strides": [4611686018427387904, 1], "offset": 0, "storage": [1, 2]}"#),
            addCase("bad/huge-shape", first: #"{"dtype": "float32", "shape": [4294967296, 4294967296], "data": []}"#),
            addCase("bad/expanded", first: #"{"dtype": "float32", "shape": [65536, 65536], "strides": [0, 0], "offset": 0, "storage": [1]}"#),
            addCase("bad/op", op: "frobnicate"),
            #"{"id": "bad/inputs", "op": "add", "inputs": 7}"#,
            #"{"op": "add", "inputs": []}"#,
            addCase("good/after"),
        ]
        let (failures, passed) = try outcomes(caseFile(cases))
        #expect(passed == ["good/before", "good/after"])
        #expect(failures.count == 11)
        #expect(failures["bad/dtype"]?.hasPrefix("malformed case: at cases.Index 1.inputs.Index 0") == true, "\(failures)")
        #expect(failures["bad/dtype"]?.contains("unknown dtype 'float16'") == true, "\(failures)")
        #expect(failures["bad/data-count"]?.contains("shape [3] needs 3 values in `data`, the case gives 2") == true, "\(failures)")
        #expect(failures["bad/outside-storage"]?.contains("reads element 1000000, outside its 2-element storage") == true, "\(failures)")
        #expect(failures["bad/offset"]?.contains("reads element 2, outside its 2-element storage") == true, "\(failures)")
        #expect(failures["bad/negative-stride"]?.contains("offset and strides must be non-negative") == true, "\(failures)")
        #expect(failures["bad/stride-overflow"]?.contains("outside its 2-element storage") == true, "\(failures)")
        #expect(failures["bad/huge-shape"]?.contains("more bytes than Int.max") == true, "\(failures)")
        #expect(failures["bad/expanded"]?.contains("4294967296 elements, more than the 16777216 a case may hold") == true, "\(failures)")
        #expect(failures["bad/op"]?.hasPrefix("unknown operator 'frobnicate'") == true, "\(failures)")
        #expect(failures["bad/inputs"]?.hasPrefix("malformed case: at cases.Index 10.inputs") == true, "\(failures)")
        // A case without an id is named by its place in the file.
        #expect(failures["case #11"]?.contains("id") == true, "\(failures)")
    }

    @Test func aViewInsideItsStorageStillRuns() throws {
        // Every other element of a 4-element storage, from offset 1: [2, 4] + [10, 20].
        let strided = addCase("strided", first: #"{"dtype": "float32", "shape": [2], "strides": [2], "offset": 1, "storage": [1, 2, 3, 4]}"#)
            .replacingOccurrences(of: "[11, 22]", with: "[12, 24]")
        let empty = #"{"id": "empty", "op": "neg", "inputs": [{"dtype": "float32", "shape": [0, 3], "strides": [1000, 1], "offset": 0, "storage": []}], "#
            + #""expected": [{"dtype": "float32", "shape": [0, 3], "data": []}]}"#
        let (failures, passed) = try outcomes(caseFile([strided, empty]))
        #expect(failures.isEmpty, "\(failures)")
        #expect(passed == ["strided", "empty"])
    }

    @Test func aFileThatIsNotACaseFileIsRefusedWhole() throws {
        for (text, problem) in [("not json", "is not a valid case file"), (#"{"format": "swifttorch-conformance/1", "cases": 3}"#, "at cases"),
                                (#"{"format": "other/2", "cases": []}"#, "has format 'other/2'")] {
            let error = #expect(throws: TorchError.self) { try ConformanceFile.decode(Data(text.utf8), name: "cases.json") }
            #expect(error?.kind == .io)
            #expect(error?.message.contains(problem) == true, "\(error?.message ?? "")")
        }
    }

    @Test func theReportNamesEveryFailingCase() throws {
        let file = try ConformanceFile.decode(caseFile([addCase("bad/op", op: "nothing"), addCase("good")]), name: "cases.json")
        let text = try ConformanceRunner(backends: ["reference"]).run(file.cases).render()
        #expect(text.contains("FAIL bad/op [reference] max |diff| 0.0: unknown operator 'nothing'"))
        #expect(text.hasSuffix("1 passed, 1 failed, 0 skipped"))
    }
}
