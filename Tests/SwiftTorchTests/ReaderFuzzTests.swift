import Foundation
import Testing
@testable import SwiftTorch

// Structured fuzzing of the file readers: the safetensors, IDX and gzip readers, the digits
// CSV, and the conformance JSON reader with the runner's tensor building. Each starts from
// valid files and feeds mutations of them (Support/ByteMutator.swift); every input must
// read to the end or throw a TorchError. A trap would end the process, so the fuzzing runs
// in an exit test: the child process logs each input before reading it, and the test
// reports the last one, as the call that replays it, when the child dies.
//
// The budget is a count, not a time, so a run is the same on every machine; set
// READER_FUZZ_COUNT to run longer locally.

/// A reader under fuzzing: its valid seed files, how to mutate them with their structure in
/// mind, and how to read an input all the way (every tensor built).
enum ReaderFuzzTarget: String, CaseIterable, Codable, Sendable {
    case safetensors, idx, gzip, digitsCSV, conformanceJSON, pytorch

    func seeds() throws -> [[UInt8]] {
        switch self {
        case .safetensors:
            var tensors: [(String, Tensor)] = [
                ("weight", try Tensor([1.5, -2, 3, 4, 5, 6], shape: [2, 3])), ("steps", try Tensor([1, 2, 3], shape: [3])),
                ("mask", try Tensor([true, false], shape: [2])), ("scale", try Tensor(0.5, dtype: .float64)),
                ("empty", try Tensor([Int32](), shape: [0, 4])),
            ]
            var files = [try safetensorsFile(tensors, metadata: ["format": "pt"])]
            tensors.removeLast(3)
            files.append(try safetensorsFile(tensors, metadata: [:]))
            if let url = Bundle.module.url(forResource: "mlp", withExtension: "safetensors", subdirectory: "Resources") {
                files.append(try [UInt8](Data(contentsOf: url)))  // written by PyTorch
            }
            return files
        case .idx:
            let plain = [idxBytes([2, 3, 4], (0..<24).map(UInt8.init)), idxBytes([5], [3, 1, 4, 1, 5])]
            return plain + (try plain.map { try Gzip.compress($0) })
        case .gzip:
            let text = Array(String(repeating: "SwiftTorch reads gzip. ", count: 90).utf8)
            return [try Gzip.compress(text), try Gzip.compress(text) + Gzip.compress([1, 2, 3]), try Gzip.compress([]),
                    try Gzip.compress((0..<300).map { UInt8(truncatingIfNeeded: $0 &* 37) }, level: 0)]
        case .digitsCSV:
            let line = { (label: Int) in (0..<64).map { String(($0 * 7 + label) % 17) }.joined(separator: ",") + ",\(label)\n" }
            let csv = Array((0..<3).map(line).joined().utf8)
            return [csv, try Gzip.compress(csv)]
        case .conformanceJSON:
            return [Array(Self.caseFile.utf8)]
        case .pytorch:
            return try pytorchFuzzSeeds()
        }
    }

    /// `input`, mutated as a file of this kind gets damaged.
    func mutate(_ input: [UInt8], with mutator: inout ByteMutator, corpus: [[UInt8]]) throws -> [UInt8] {
        let structured = mutator.random.below(2) == 0
        switch self {
        case .safetensors where structured && input.count >= 8:
            // Edit the header JSON and frame it again, so the damage reaches the header checks.
            let length = Swift.min(input[0..<8].reversed().reduce(0) { $0 << 8 | Int($1) }, input.count - 8)
            let header = mutator.mutateJSON(Array(input[8..<(8 + length)]), corpus: corpus)
            return (0..<8).map { UInt8(truncatingIfNeeded: header.count >> (8 * $0)) } + header + input[(8 + length)...]
        case .idx where structured && Gzip.isCompressed(input), .gzip where structured:
            // Damage the contents, then compress them again: a well-formed stream of bad data.
            return try Gzip.compress(mutator.mutate(Gzip.decompress(input), corpus: corpus))
        case .pytorch where structured:
            return try mutatePyTorchPickle(input, with: &mutator, corpus: corpus)
        case .digitsCSV where structured, .conformanceJSON:
            let plain = Gzip.isCompressed(input) ? try Gzip.decompress(input) : input
            let damaged = mutator.mutateJSON(plain, corpus: corpus)
            return Gzip.isCompressed(input) ? try Gzip.compress(damaged) : damaged
        default:
            return mutator.mutate(input, corpus: corpus)
        }
    }

    /// Reads `bytes` to the end, building every tensor they describe.
    func read(_ bytes: [UInt8]) throws {
        switch self {
        case .safetensors:
            _ = try SafetensorsReader(bytes: bytes, url: URL(fileURLWithPath: "/fuzz/input.safetensors")).tensors()
        case .idx:
            for (rank, kind) in [(1, "labels"), (3, "images")] {
                guard let file = try? IDXFile.decode(bytes, rank: rank, file: "input", kind: kind) else { continue }
                _ = try file.floatTensor(dividedBy: 255)
                _ = try file.int64Tensor()
            }
            _ = try IDXFile.decode(bytes, rank: 3, file: "input", kind: "images")
        case .gzip:
            _ = try Gzip.decompressedPrefix(bytes, count: 16, name: "input")
            _ = try Gzip.decompress(bytes, name: "input", limit: 1 << 20)
        case .digitsCSV:
            let plain = Gzip.isCompressed(bytes) ? try Gzip.decompress(bytes, name: "input", limit: Digits.maximumFileSize) : bytes
            _ = try Digits.parse(plain, file: "input")
        case .pytorch:
            for (_, tensor) in try decodePyTorch(bytes, file: "input.pt").namedTensors() { _ = try tensor.contiguous() }
        case .conformanceJSON:
            let file = try ConformanceFile.decode(Data(bytes), name: "input")
            for c in file.cases where c.problem == nil {
                for tensor in c.inputs.flatMap(\.tensors) + (c.expected ?? []) + (c.grad.map { [$0.outputGrad] + $0.inputs.flatMap(\.tensors) } ?? []) {
                    try expectTorchError { _ = try tensor.makeTensor() }
                }
                if let op = Runtime.registry.operator(named: c.op) {
                    try expectTorchError { _ = try ConformanceRunner().bind(c, op) }
                }
            }
        }
    }

    /// A case file with a contiguous and a strided input, keyword arguments of every kind, a
    /// gradient, a tensor list, an error case and the special float strings.
    static let caseFile = #"""
        {"format": "swifttorch-conformance/1", "generator": "fuzz seed", "cases": [
        {"id": "add/strided", "op": "add", "inputs": [{"dtype": "float32", "shape": [2, 2], "data": [1, 2, 3, "nan"]},
         {"dtype": "float32", "shape": [2, 2], "strides": [1, 2], "offset": 1, "storage": [0, 1, 2, 3, 4]}],
         "args": {"alpha": 2}, "expected": [{"dtype": "float32", "shape": [2, 2], "data": [3, 8, 7, "nan"]}], "tags": ["noncontiguous"]},
        {"id": "sum/dim", "op": "sum", "inputs": [{"dtype": "float64", "shape": [2, 3], "data": [1, 2, 3, 4, 5, "-inf"]}],
         "args": {"dim": [1], "keepdim": true, "dtype": null}, "expected": [{"dtype": "float64", "shape": [2, 1], "data": [6, "-inf"]}],
         "grad": {"output_grad": {"dtype": "float64", "shape": [2, 1], "data": [1, -0.0]}, "inputs": [{"dtype": "float64", "shape": [2, 3], "data": [1, 1, 1, 0, 0, 0]}]},
         "rtol": 1e-7, "atol": 0},
        {"id": "cat/list", "op": "cat", "inputs": [[{"dtype": "int64", "shape": [1], "data": [9223372036854775807]}, {"dtype": "int64", "shape": [2], "data": [-1, 0]}]],
         "args": {"dim": 0}, "expected": [{"dtype": "int64", "shape": [3], "data": [9223372036854775807, -1, 0]}]},
        {"id": "div/mode", "op": "div", "inputs": [{"dtype": "int32", "shape": [], "data": [7]}, {"dtype": "bool", "shape": [1], "data": [true]}],
         "args": {"rounding_mode": "floor"}, "expected": [{"dtype": "int32", "shape": [1], "data": [7]}]},
        {"id": "mm/error", "op": "mm", "inputs": [{"dtype": "float32", "shape": [2, 3], "data": [1, 2, 3, 4, 5, 6]}, {"dtype": "float32", "shape": [2, 3], "data": [1, 2, 3, 4, 5, 6]}],
         "error": true, "why": "inner sizes differ"}
        ]}
        """#
}

extension CaseInput {
    /// The tensors of this input: one, a list's, or none.
    var tensors: [CaseTensor] {
        switch self {
        case .tensor(let t): [t]
        case .list(let ts): ts
        case .null: []
        }
    }
}

/// A safetensors file's bytes, written by SwiftTorch's writer.
private func safetensorsFile(_ tensors: [(String, Tensor)], metadata: [String: String]) throws -> [UInt8] {
    var bytes: [UInt8] = []
    try withDataTestFolder { folder in
        let url = folder.appendingPathComponent("seed.safetensors")
        try Safetensors.save(tensors, to: url, metadata: metadata)
        bytes = try [UInt8](Data(contentsOf: url))
    }
    return bytes
}

/// A non-TorchError thrown by a reader: what the fuzzer looks for.
struct UnexpectedReaderError: Error, CustomStringConvertible {
    let description: String
}

/// Runs `body`; any error but a TorchError becomes an ``UnexpectedReaderError``.
private func expectTorchError(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch is TorchError {
    } catch {
        throw UnexpectedReaderError(description: "\(type(of: error)): \(error)")
    }
}

enum ReaderFuzz {
    /// Feeds `target` the first `count` mutated inputs of `seed` (reading those from `first`
    /// on, so one input can be replayed) and returns every input that failed with an error
    /// other than a TorchError. Before reading an input it passes `target seed input` to
    /// `progress`, so that a trap can be traced to the input that caused it.
    static func run(_ target: ReaderFuzzTarget, seed: UInt64, count: Int, from first: Int = 0,
                    progress: (String) -> Void = { _ in }) throws -> [String] {
        let corpus = try target.seeds()
        var mutator = ByteMutator(seed: seed)
        var failures: [String] = []
        for index in 0..<count {
            let input = try target.mutate(mutator.random.pick(corpus), with: &mutator, corpus: corpus)
            guard index >= first else { continue }
            progress("ReaderFuzz.run(.\(target), seed: \(seed), count: \(index + 1), from: \(index)): \(input.count) bytes")
            do {
                try expectTorchError { try target.read(input) }
            } catch {
                failures.append("\(target) seed \(seed) input \(index): \(error); input: \(input.prefix(200))")
            }
        }
        return failures
    }
}

@Suite("Reader fuzzing")
struct ReaderFuzzTests {
    /// Seeds per reader: each gives a different sequence of mutations.
    static let seeds: [UInt64] = [1, 2, 3]
    /// Inputs per reader and seed: a few seconds for every reader in a debug build.
    static let count = ProcessInfo.processInfo.environment["READER_FUZZ_COUNT"].flatMap { Int($0) } ?? 400

    @Test(arguments: ReaderFuzzTarget.allCases)
    func everyMutatedInputReadsOrThrowsATorchError(_ target: ReaderFuzzTarget) async throws {
        // The child logs each input before reading it; if it dies, the log's last line says which.
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("reader-fuzz-\(target)-\(UUID().uuidString).log").path
        #expect(FileManager.default.createFile(atPath: log, contents: nil))
        defer { try? FileManager.default.removeItem(atPath: log) }
        let result = await #expect(processExitsWith: .success) { [target, log = log as String] in
            guard let file = FileHandle(forWritingAtPath: log) else { exit(2) }
            var failures: [String] = []
            for seed in ReaderFuzzTests.seeds {
                failures += try ReaderFuzz.run(target, seed: seed, count: ReaderFuzzTests.count) { file.write(Data(($0 + "\n").utf8)) }
            }
            file.write(Data(failures.map { "FAILED " + $0 + "\n" }.joined().utf8))
            exit(failures.isEmpty ? 0 : 1)
        }
        guard result == nil else { return }
        let lines = try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n")
        let failures = lines.filter { $0.hasPrefix("FAILED ") }
        Issue.record(Comment(rawValue: failures.isEmpty ? "died reading the input of \(lines.last ?? "no input")" : failures.joined(separator: "\n")))
    }

    @Test func theMutatorIsDeterministic() {
        var a = ByteMutator(seed: 9), b = ByteMutator(seed: 9), c = ByteMutator(seed: 10)
        let input = Array("{\"a\": [1, 2, 3], \"b\": \"text\"}".utf8)
        let fromA = (0..<20).map { _ in a.mutateJSON(input, corpus: [input]) }
        #expect(fromA == (0..<20).map { _ in b.mutateJSON(input, corpus: [input]) })
        #expect(fromA != (0..<20).map { _ in c.mutateJSON(input, corpus: [input]) })
        #expect(Set(fromA).count > 10)
    }
}
