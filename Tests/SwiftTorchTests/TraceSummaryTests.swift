import Foundation
import SwiftTorch
import Testing

// The aggregator behind SWIFTTORCH_TRACE=summary and `swifttorch bench --count-calls`. Each
// test uses its own instance; the process-wide `shared` one records only under a trace mode.

@Suite("TraceSummary")
struct TraceSummaryTests {
    @Test func countsCallsAndTimePerOperatorAndBackend() {
        let summary = TraceSummary()
        summary.record("add", backend: "openmp", elapsed: .microseconds(3))
        summary.record("add", backend: "openmp", elapsed: .microseconds(5))
        summary.record("add", backend: "reference", elapsed: .microseconds(1))
        let entries = summary.entries()
        #expect(entries.count == 2)
        #expect(entries[0] == TraceSummary.Entry(op: "add", backend: "openmp", calls: 2, total: .microseconds(8)))
        #expect(entries[0].mean == .microseconds(4))
    }

    @Test func entriesAreSortedByTotalTimeMostFirst() {
        let summary = TraceSummary()
        summary.record("mm", backend: "blas", elapsed: .microseconds(2))
        summary.record("sum", backend: "openmp", elapsed: .microseconds(9))
        summary.record("mm", backend: "blas", elapsed: .microseconds(2))
        #expect(summary.entries().map(\.op) == ["sum", "mm"])
    }

    @Test func resetForgetsEverything() {
        let summary = TraceSummary()
        summary.record("add", backend: "openmp", elapsed: .microseconds(1))
        summary.reset()
        #expect(summary.entries().isEmpty)
    }

    @Test func recordingFromManyThreadsLosesNoCall() async {
        let summary = TraceSummary()
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<8 {
                group.addTask { for _ in 0..<1000 { summary.record("add", backend: "openmp", elapsed: .nanoseconds(1)) } }
            }
        }
        #expect(summary.entries().first?.calls == 8000)
    }

    @Test func formatGivesTotalsThenOneLinePerEntry() {
        let text = TraceSummary.format([
            .init(op: "addmm", backend: "blas", calls: 3, total: .microseconds(1500)),
            .init(op: "relu", backend: "openmp", calls: 2, total: .microseconds(5)),
        ])
        let lines = text.split(separator: "\n").map(String.init)
        #expect(lines.count == 4)
        #expect(lines[0] == "[swifttorch] trace summary: 5 kernel calls, 1.505 ms in kernels")
        #expect(lines[1].hasPrefix("operator") && lines[1].contains("calls") && lines[1].contains("mean us"))
        #expect(lines[2].split(separator: " ") == ["addmm", "blas", "3", "1.500", "500.0"])
        #expect(lines[3].split(separator: " ") == ["relu", "openmp", "2", "0.005", "2.5"])
    }

    @Test func formatOfNothingIsEmpty() {
        #expect(TraceSummary.format([]) == "")
    }

    /// The `swifttorch` executable SwiftPM built beside the test bundle.
    static var tool: URL {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("swifttorch")
    }

    @Test func summaryModePrintsTheTableToStandardErrorWhenTheProcessExits() throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.tool.path),
                     "no swifttorch beside the tests at \(Self.tool.path): build all products (swift build --build-tests)")
        let environment = ProcessInfo.processInfo.environment.merging(["SWIFTTORCH_TRACE": "summary"]) { $1 }
        let (status, text) = try runSubprocess(Self.tool, ["bench", "--filter", "add-tiny", "--backend", "reference"],
                                               environment: environment)
        #expect(status == 0)
        let lines = text.split(separator: "\n")
        let header = try #require(lines.firstIndex { $0.hasPrefix("[swifttorch] trace summary: ") }, "stderr: \(text)")
        #expect(lines[header + 1].hasPrefix("operator"))
        #expect(lines[header + 2].split(separator: " ").prefix(2) == ["add", "reference"])
    }
}
