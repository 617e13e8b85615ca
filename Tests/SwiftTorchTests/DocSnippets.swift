import Foundation
import Testing
import SwiftTorch

// The Swift blocks of Docs/*.md, kept here where they compile and run. Each lies between a
// `// snippet: NAME` line and an `// end snippet` line; the Markdown block marked
// `<!-- snippet: NAME -->` must be the same text (DocSnippetTests checks it, indentation
// aside). Lines around a region set up what it needs and check what it did.

@Suite("Docs: getting-started.md runs")
struct GettingStartedSnippets {
    @Test("a model class, the device line and print(model)")
    func modelClass() throws {
        // snippet: model-class
        final class NeuralNetwork: Module {
            let flatten = Flatten()
            let linearReluStack = Sequential {
                Linear(8 * 8, 128)
                ReLU()
                Linear(128, 10)
            }

            func callAsFunction(_ x: Tensor) throws -> Tensor {
                try linearReluStack(flatten(x))
            }
        }

        let device: Device = cuda.isAvailable ? .cuda : .cpu
        let model = try NeuralNetwork().to(device)
        print(model)
        let logits = try model(Tensor.rand([3, 8, 8], device: device))
        print(logits.shape)   // [3, 10]
        // end snippet
        #expect(logits.shape == [3, 10])
        #expect(try model.description == DocSnippetFile("getting-started.md").output("model-class"))
    }

    @Test("tensors and autograd")
    func tensors() throws {
        // snippet: tensors
        let x = try Tensor([[1.0, 2.0], [3.0, 4.0]])        // float32, like torch.tensor
        let w = try Tensor.randn([2, 2]).requiringGrad()     // a leaf that wants a gradient
        let y = try (x.matmul(w) + 1).relu().sum()
        try y.backward()
        print(w.grad!)                                       // d y / d w
        // end snippet
        #expect(w.grad?.shape == [2, 2])
    }

    @Test("operators and indexing")
    func operators() throws {
        // snippet: operators
        let a = try Tensor.arange(0.0, 12.0).reshape([3, 4])
        let positive = try a .> 5                    // a bool tensor: Swift's SIMD spelling of a > 5
        let squares = try a ** 2                     // Python's **; or a.pow(2)
        try a += 1                                   // in place, as PyTorch's a += 1
        let column = try a[.all, 1]                  // a[:, 1], a view
        let last = try a[.ellipsis, -1]              // a[..., -1]
        let everyOther = try a[0, .stride(by: 2)]    // a[0, ::2]
        let picked = try a[positive]                 // a[mask], a copy
        try a.set(.all, 1, to: 0)                    // a[:, 1] = 0
        try a.set(a .> 10, to: -1)                   // a[a > 10] = -1
        // end snippet
        #expect(try squares.toArray(of: Double.self) == (0..<12).map { Double($0 * $0) })
        #expect(try column.toArray(of: Double.self) == [0, 0, 0])      // a view: it sees the writes
        #expect(try last.toArray(of: Double.self) == [4, 8, -1])
        #expect(try everyOther.toArray(of: Double.self) == [1, 3])
        #expect(try picked.toArray(of: Double.self) == [7, 8, 9, 10, 11, 12])  // a copy: it does not
        #expect(try a.toArray(of: Double.self) == [1, 0, 3, 4, 5, 0, 7, 8, 9, 0, -1, -1])
    }

    @Test("the data, the model, the training loop, evaluation and saving")
    func workflow() async throws {
        // snippet: data
        let digits = try Digits.load()                                  // bundled: [1797, 64] pixels 0...16, labels
        let dataset = try TensorDataset(digits.features / 16.0, digits.labels)
        let split = try randomSplit(dataset, fractions: [0.8, 0.2], generator: Generator(seed: 42))
        let trainLoader = DataLoader(split[0], batchSize: 64, shuffle: true, generator: Generator(seed: 7))
        let testLoader = DataLoader(split[1], batchSize: 256)
        // end snippet

        // snippet: model-loss-optimizer
        let model = Sequential {
            Linear(64, 128)
            ReLU()
            Linear(128, 64)
            ReLU()
            Linear(64, 10)
        }
        let lossFunction = CrossEntropyLoss()
        let optimizer = try SGD(model.parameters(), lr: 0.01, momentum: 0.9)
        // end snippet

        // snippet: training-loop
        for _ in 1...30 {
            model.train()
            for try await (images, labels) in trainLoader {
                optimizer.zeroGrad()
                let loss = try lossFunction(model(images), labels)
                try loss.backward()
                try optimizer.step()
            }
        }
        // end snippet

        // snippet: evaluation
        model.eval()
        var correct = 0
        try await withNoGrad {                             // torch.no_grad()
            for try await (images, labels) in testLoader {
                correct += try (model(images).argmax(dim: 1) .== labels).sum().item(Int.self)
            }
        }
        print("accuracy: \(Double(correct) / Double(split[1].count))")
        // end snippet
        #expect(Double(correct) / Double(split[1].count) > 0.9)

        // snippet: saving
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("digits.safetensors")
        try model.save(to: file)     // atomic: a temporary file, then a rename
        try model.load(from: file)   // also reads PyTorch's safetensors.torch.save_file output
        // end snippet
        try? FileManager.default.removeItem(at: file)

        // snippet: cnn
        let images = try (digits.features / 16.0).reshape([-1, 1, 8, 8])
        let cnn = Sequential {
            Conv2d(1, 32, kernelSize: 3, padding: 1)    // weight [32, 1, 3, 3], PyTorch's init
            ReLU()
            MaxPool2d(kernelSize: 2)                    // 8x8 -> 4x4
            Conv2d(32, 64, kernelSize: 3, padding: 1)
            ReLU()
            Flatten()
            Linear(64 * 4 * 4, 10)
        }
        print(try cnn(images[0..<8]).shape)             // [8, 10]
        // end snippet
        #expect(try cnn(images[0..<8]).shape == [8, 10])
    }
}
