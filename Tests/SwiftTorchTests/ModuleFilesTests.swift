import Foundation
import Testing
import SwiftTorch

/// Modules saved and loaded as safetensors, including a model written by PyTorch.
@Suite("Module files")
struct ModuleFilesTests {
    struct Expected: Decodable {
        struct Values: Decodable { let shape: [Int]; let data: [Double] }
        let input: Values
        let logits: Values
    }

    func mlp() throws -> Sequential {
        Sequential {
            Linear(64, 32)
            ReLU()
            Linear(32, 10)
        }
    }

    @Test("PyTorch's nn.Sequential file loads into the equivalent Sequential and reproduces its logits")
    func pytorchSequential() throws {
        let file = try #require(Bundle.module.url(forResource: "mlp", withExtension: "safetensors", subdirectory: "Resources"))
        let json = try #require(Bundle.module.url(forResource: "mlp-expected", withExtension: "json", subdirectory: "Resources"))
        let expected = try JSONDecoder().decode(Expected.self, from: Data(contentsOf: json))
        let model = try mlp()
        let result = try model.load(from: file)
        #expect(result.missingKeys.isEmpty && result.unexpectedKeys.isEmpty)
        let x = try Tensor(expected.input.data, shape: expected.input.shape)
        let logits = try withNoGrad { try model(x) }
        #expect(logits.shape == expected.logits.shape)
        for (a, e) in zip(try logits.toArray(of: Double.self), expected.logits.data) {
            #expect(abs(a - e) <= 1e-5, "logit \(a) vs PyTorch's \(e)")
        }
    }

    @Test("a saved model loads back into a fresh one with identical outputs")
    func roundTrip() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("swifttorch-\(UUID()).safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        let a = try mlp(), b = try mlp()
        try a.save(to: url)
        let x = try Tensor.randn([3, 64])
        #expect(try a(x).toArray(of: Float.self) != b(x).toArray(of: Float.self))
        try b.load(from: url)
        #expect(try a(x).toArray(of: Float.self) == b(x).toArray(of: Float.self))
    }

    @Test("loading a file with other shapes names the key and both shapes")
    func shapeMismatch() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("swifttorch-\(UUID()).safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        try Sequential { Linear(64, 16) }.save(to: url)
        let error = try #require(throws: TorchError.self) { try Sequential { Linear(64, 32) }.load(from: url) }
        #expect(error.message.contains("0.weight"))
        #expect(error.message.contains("[16, 64]"))
    }
}
