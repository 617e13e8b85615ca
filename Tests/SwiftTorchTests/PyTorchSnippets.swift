import Foundation
import Testing
import SwiftTorch

// The Swift examples of the `.pt` doc comments (Sources/SwiftTorch/IO/PyTorch) and of
// Docs/interop.md, kept here where they compile and run against the PyTorch-written
// fixtures. Regions lie between `// snippet: NAME` and `// end snippet`.

/// A `.pt` fixture written by PyTorch 2.15 (shared/conformance/interop).
func interopFixture(_ name: String) throws -> URL {
    try #require(Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "Resources/interop"))
}

@Suite("Docs: the .pt examples run")
struct PyTorchDocSnippets {
    @Test("loadPyTorch gives nested values: the checkpoint's epoch and a weight")
    func nestedValues() throws {
        let url = try interopFixture("checkpoint.pt")
        // snippet: pytorch-value
        let checkpoint = try loadPyTorch(url)
        let epoch = checkpoint["epoch"]?.intValue
        let weight = checkpoint["model"]?["0.weight"]?.tensorValue
        // end snippet
        #expect(epoch == 3)
        #expect(weight?.shape == [32, 64])
    }

    @Test("namedTensors lists every tensor with its dotted key")
    func listing() throws {
        let url = try interopFixture("checkpoint.pt")
        var names: [String] = []
        func print(_ name: String, _ dtype: DType, _ shape: [Int]) { names.append(name) }
        // snippet: load-pytorch
        let checkpoint = try loadPyTorch(url)
        for (name, tensor) in checkpoint.namedTensors() { print(name, tensor.dtype, tensor.shape) }
        // end snippet
        #expect(names.first == "model.0.weight")
        #expect(names.contains("optimizer.state.3.momentum_buffer"))
        #expect(names.count == 8)
    }

    @Test("savePyTorch writes a checkpoint dict that reads back")
    func saving() throws {
        try withDataTestFolder { folder in
            let url = folder.appendingPathComponent("checkpoint.pt")
            let model = Sequential {
                Linear(4, 2)
            }
            // snippet: save-pytorch
            try savePyTorch(.dict(["model": model.stateDict().pytorchValue, "epoch": .int(3)]), to: url)
            // end snippet
            let back = try loadPyTorch(url)
            #expect(back["epoch"]?.intValue == 3)
            #expect(try back["model"]?["0.weight"]?.tensorValue?.toArray(of: Float.self) == model.stateDict()["0.weight"]?.toArray(of: Float.self))
        }
    }

    @Test("a module loads a state dict file and a checkpoint's model entry")
    func moduleLoads() throws {
        let url = try interopFixture("mlp-state-dict.pt")
        let checkpoint = try interopFixture("checkpoint.pt")
        // snippet: module-load-pytorch
        let model = Sequential {
            Linear(64, 32)
            ReLU()
            Linear(32, 10)
        }
        try model.loadPyTorch(from: url)                      // torch.save(model.state_dict(), path)
        try model.loadPyTorch(from: checkpoint, key: "model")  // torch.save({"model": ..., "epoch": 3}, path)
        // end snippet
        let expected = try #require(loadPyTorch(checkpoint)["model"]?["2.bias"]?.tensorValue)
        #expect(try model.stateDict()["2.bias"]?.toArray(of: Float.self) == expected.toArray(of: Float.self))
    }
}
