import Foundation
import Testing
@testable import SwiftTorch

private let cpuBackends = ["reference", "openmp", "blas"]

/// The shared PyTorch fixtures (sequence-modules.*, copied from shared/conformance/sequence)
/// and the configurations of make-sequence-configs.py (sequence-configs.*).
private func fixtureFile(_ stem: String) throws -> ModuleFixtureFile {
    let url = try #require(Bundle.module.url(forResource: stem, withExtension: "json", subdirectory: "Resources"))
    return try ModuleFixtureFile.load(url.path)
}

/// What PyTorch's repr leaves out of the shared fixtures, as their generator built them
/// (2 heads, batch first; found once by rebuilding them in PyTorch).
private let sharedFixtureOptions: [String: [String: String]] = [
    "mha": ["num_heads": "2", "batch_first": "true"],
    "mha_causal": ["num_heads": "2", "batch_first": "true"],
    "encoder_layer": ["num_heads": "2", "batch_first": "true", "norm_first": "false", "activation": "relu"],
    "encoder": ["num_heads": "2", "batch_first": "true", "norm_first": "false", "activation": "relu"],
]

@Suite("Sequence modules match PyTorch's fixtures")
struct SequenceModuleFixtureTests {
    @Test("each shared module fixture: outputs, input and parameter gradients on every CPU backend", arguments: cpuBackends)
    func sharedFixtures(_ backend: String) throws {
        let file = try fixtureFile("sequence-modules")
        #expect(file.fixtures.map(\.name) == ["lstm", "lstm_state", "gru", "rnn", "mha", "mha_causal", "encoder_layer", "encoder"])
        for fixture in file.fixtures {
            let outcome = ModuleFixtureRunner().run(fixture, in: file, options: sharedFixtureOptions[fixture.name] ?? [:], on: backend)
            #expect(outcome == .passed, "\(fixture.name) on \(backend)")
        }
    }

    @Test("other configurations (bidirectional LSTM, GRU from h0, ReLU RNN, MHA kdim/vdim with padding and weights, pre-norm GELU encoder, decoder layer)",
          arguments: cpuBackends)
    func otherConfigurations(_ backend: String) throws {
        let file = try fixtureFile("sequence-configs")
        #expect(file.fixtures.count == 6)
        for fixture in file.fixtures {
            #expect(ModuleFixtureRunner().run(fixture, in: file, on: backend) == .passed, "\(fixture.name) on \(backend)")
        }
    }

    @Test("the runner finds the options PyTorch's repr leaves out and reports them")
    func runnerInfersMissingOptions() throws {
        let (report, inferred) = try ModuleFixtureRunner(backends: ["openmp"]).run(fixtureFile("sequence-modules"))
        #expect(report.totalsLine == "8 passed, 0 failed, 0 skipped")
        #expect(inferred.count == 4)
        #expect(inferred.allSatisfy { $0.contains("batch_first=true") && $0.contains("num_heads=2") })
    }

    @Test("a wrong option fails with the mismatch, not a pass")
    func wrongOptionFails() throws {
        let file = try fixtureFile("sequence-modules")
        let mha = try #require(file.fixtures.first { $0.name == "mha" })
        let outcome = ModuleFixtureRunner().run(mha, in: file, options: ["num_heads": "4", "batch_first": "true"], on: "reference")
        guard case .failed(let why, let difference) = outcome else {
            Issue.record("4 heads should not match a 2-head fixture, got \(outcome)")
            return
        }
        #expect(why.hasPrefix("output 0"))
        #expect(difference > 1e-3)
    }
}

@Suite("swifttorch conformance reads module-fixture files")
struct ModuleFixtureCommandTests {
    static var tool: URL {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("swifttorch")
    }

    @Test("each fixture per backend, the options found, the usual totals line; a broken fixture fails the run")
    func conformanceCommand() throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.tool.path),
                     "no swifttorch beside the tests at \(Self.tool.path): build all products (swift build --build-tests)")
        let json = try #require(Bundle.module.url(forResource: "sequence-modules", withExtension: "json", subdirectory: "Resources"))
        let (status, output) = try runSubprocess(Self.tool, ["conformance", json.path, "--backend", "reference", "--backend", "openmp"],
                                                 mergingStandardOutput: true)
        #expect(status == 0, "\(output)")
        #expect(output.contains("backend openmp: 8 passed, 0 failed, 0 skipped"))
        #expect(output.contains("options of mha: batch_first=true, num_heads=2"))
        #expect(output.hasSuffix("16 passed, 0 failed, 0 skipped\n"))

        // The same file with one expected output changed: that fixture fails on each backend.
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("module-fixtures-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        var tensors = try Safetensors.load(from: json.deletingPathExtension().appendingPathExtension("safetensors"))
        tensors["rnn/output0"] = try #require(tensors["rnn/output0"]) + 0.01
        try Safetensors.save(tensors, to: folder.appendingPathComponent("broken.safetensors"))
        try FileManager.default.copyItem(at: json, to: folder.appendingPathComponent("broken.json"))
        let (brokenStatus, brokenOutput) = try runSubprocess(Self.tool, ["conformance", folder.appendingPathComponent("broken.json").path,
                                                                         "--backend", "reference"], mergingStandardOutput: true)
        #expect(brokenStatus == 1)
        #expect(brokenOutput.contains("FAIL rnn [reference]"))
        #expect(brokenOutput.hasSuffix("7 passed, 1 failed, 0 skipped\n"))
    }
}
