import Foundation
import Testing
import SwiftTorch

// `swifttorch inspect` and `swifttorch convert`, run as a user runs them: the executable
// SwiftPM built beside the tests.

/// Runs the `swifttorch` executable with `arguments`; its exit status and its output.
private func swifttorch(_ arguments: [String]) throws -> (status: Int32, output: String) {
    let tool = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("swifttorch")
    try #require(FileManager.default.isExecutableFile(atPath: tool.path), "no swifttorch beside the tests: build all products (swift build --build-tests)")
    let (status, output) = try runSubprocess(tool, arguments, mergingStandardOutput: true)
    return (status, output)
}

@Suite("swifttorch inspect and convert")
struct PyTorchCommandTests {
    @Test("inspect lists a .pt checkpoint's tensors with dotted names, dtypes and shapes")
    func inspectPyTorch() throws {
        let (status, output) = try swifttorch(["inspect", interopFixture("checkpoint.pt").path])
        #expect(status == 0, "\(output)")
        let lines = output.split(separator: "\n").map(String.init)
        #expect(lines.first == "model.0.weight                     float32  [32, 64]")
        #expect(lines.contains("optimizer.state.3.momentum_buffer  float32  [10]"))
        #expect(lines.last == "8 tensors")
    }

    @Test("inspect lists a safetensors file's tensors")
    func inspectSafetensors() throws {
        let (status, output) = try swifttorch(["inspect", interopFixture("pt-expected.safetensors").path])
        #expect(status == 0, "\(output)")
        #expect(output.contains("views.pt/flags"))
        #expect(output.hasSuffix("18 tensors\n"))  // 4 + 8 + 6 in the three fixtures
    }

    @Test("convert writes every tensor of a .pt file to safetensors under its dotted key, values exact")
    func convertToSafetensors() throws {
        try withDataTestFolder { folder in
            let output = folder.appendingPathComponent("checkpoint.safetensors")
            let (status, text) = try swifttorch(["convert", interopFixture("checkpoint.pt").path, output.path])
            #expect(status == 0, "\(text)")
            #expect(text == "wrote 8 tensors to \(output.path)\n")
            let converted = try Safetensors.load(from: output)
            let expected = try Safetensors.load(from: interopFixture("pt-expected.safetensors"))
            #expect(converted.count == 8)
            for (name, tensor) in converted {
                try expectSameTensor(tensor, #require(expected["checkpoint.pt/\(name)"]), name)
            }
        }
    }

    @Test("a file that is not a checkpoint is an error message and a failing exit status, not a crash")
    func badFilesFail() throws {
        let (status, output) = try swifttorch(["inspect", extraFixture("refused.pt").path])
        #expect(status != 0)
        #expect(output.contains("refused global 'datetime.date'"), "\(output)")
    }
}
