import Foundation
import Testing
import SwiftTorch

// The Swift side of Docs/pytorch-to-swifttorch.md: each program a PyTorch beginner writes
// first, as a region that compiles and runs here on every CPU backend (DocSnippetTests
// checks that the Markdown equals these regions). Lines around a region check what it did.

@Suite("Docs: pytorch-to-swifttorch.md runs on every CPU backend", .serialized)
struct CheatSheetSnippets {
    static let backends = ["reference", "openmp", "blas"]

    @Test("x ** 2, backward, x.grad", arguments: backends)
    func squareBackward(_ backend: String) throws {
        try Runtime.withBackend(backend) {
            // snippet: seed-square-backward
            let x = try Tensor([1.0, 2.0, 3.0]).requiringGrad()
            let y = try (x ** 2).sum()
            try y.backward()
            print(x.grad!)                     // 2 * x
            // end snippet
            #expect(try x.grad!.toArray(of: Double.self) == [2, 4, 6])
        }
    }

    @Test("Linear(3, 1) with MSELoss and SGD", arguments: backends)
    func linearRegression(_ backend: String) throws {
        try Runtime.withBackend(backend) {
            // snippet: seed-linear-regression
            manualSeed(0)
            let x = try Tensor.randn([100, 3])
            let y = try x.matmul(Tensor([[2.0], [-3.0], [0.5]])) + 1.0

            let model = Linear(3, 1)
            let lossFunction = MSELoss()
            let optimizer = try SGD(model.parameters(), lr: 0.1)

            for epoch in 1...200 {
                optimizer.zeroGrad()
                let loss = try lossFunction(model(x), y)
                try loss.backward()
                try optimizer.step()
                if epoch % 50 == 0 { print("epoch \(epoch): loss \(try loss.item())") }
            }
            // end snippet
            let weight = try model.weight.toArray(of: Double.self)
            for (learned, truth) in zip(weight, [2.0, -3.0, 0.5]) { #expect(abs(learned - truth) < 1e-3) }
            #expect(abs(try model.bias!.item() - 1.0) < 1e-3)
        }
    }

    @Test("the 6-8-5 NeuralNetwork class with Flatten and Sequential", arguments: backends)
    func neuralNetworkClass(_ backend: String) throws {
        try Runtime.withBackend(backend) {
            // snippet: seed-neural-network
            final class NeuralNetwork: Module {
                let flatten = Flatten()
                let linearReluStack = Sequential {
                    Linear(6, 8)
                    ReLU()
                    Linear(8, 5)
                }

                func callAsFunction(_ x: Tensor) throws -> Tensor {
                    try linearReluStack(flatten(x))
                }
            }

            let model = NeuralNetwork()
            print(model)
            let logits = try model(Tensor.rand([4, 2, 3]))
            let probabilities = try logits.softmax(dim: 1)
            let predicted = try probabilities.argmax(dim: 1)
            // end snippet
            #expect(logits.shape == [4, 5])
            #expect(predicted.shape == [4])
            #expect(try probabilities.sum(dim: 1).toArray(of: Double.self).allSatisfy { abs($0 - 1) < 1e-6 })
            #expect(model.description == (try DocSnippetFile("pytorch-to-swifttorch.md").output("seed-neural-network")))
        }
    }

    @Test("SimpleMLP on MNIST-format data: momentum, eval() and accuracy under no-grad", arguments: backends)
    func simpleMLP(_ backend: String) async throws {
        try await Runtime.withBackend(backend) {
            manualSeed(0)   // fixes the initial weights and the shuffles, so the accuracy below is repeatable
            let folder = try MNISTFiles.writeSmallSet()
            defer { try? FileManager.default.removeItem(at: folder) }
            // snippet: seed-simple-mlp
            final class SimpleMLP: Module {
                let flatten = Flatten()
                let fc1 = Linear(28 * 28, 128)
                let fc2 = Linear(128, 10)

                func callAsFunction(_ x: Tensor) throws -> Tensor {
                    try fc2(fc1(flatten(x)).relu())
                }
            }

            let train = try MNIST(root: folder, train: true, transform: ToTensor())
            let test = try MNIST(root: folder, train: false, transform: ToTensor())
            let trainLoader = DataLoader(train, batchSize: 64, shuffle: true)
            let testLoader = DataLoader(test, batchSize: 256)

            let model = SimpleMLP()
            let lossFunction = CrossEntropyLoss()
            let optimizer = try SGD(model.parameters(), lr: 0.01, momentum: 0.9)

            for epoch in 1...5 {
                model.train()
                for try await (images, labels) in trainLoader {
                    optimizer.zeroGrad()
                    let loss = try lossFunction(model(images), labels)
                    try loss.backward()
                    try optimizer.step()
                }

                model.eval()
                var correct = 0, total = 0
                try await withNoGrad {
                    for try await (images, labels) in testLoader {
                        let predicted = try model(images).argmax(dim: 1)
                        correct += try (predicted .== labels).sum().item(Int.self)
                        total += labels.shape[0]
                    }
                }
                print("epoch \(epoch): accuracy \(Double(correct) / Double(total))")
            }
            // end snippet
            var correct = 0
            try await withNoGrad {
                for try await (images, labels) in testLoader {
                    correct += try (model(images).argmax(dim: 1) .== labels).sum().item(Int.self)
                }
            }
            #expect(Double(correct) / Double(test.count) > 0.9)
        }
    }

    @Test("the same model trained with Adam", arguments: backends)
    func adam(_ backend: String) throws {
        try Runtime.withBackend(backend) {
            manualSeed(1)
            let x = try Tensor.randn([64, 6]), y = try x.sum(dim: 1, keepdim: true)
            // snippet: seed-adam
            let model = Sequential {
                Linear(6, 16)
                ReLU()
                Linear(16, 1)
            }
            let optimizer = try Adam(model.parameters(), lr: 1e-2)
            let lossFunction = MSELoss()
            for _ in 1...300 {
                optimizer.zeroGrad()
                let loss = try lossFunction(model(x), y)
                try loss.backward()
                try optimizer.step()
            }
            // end snippet
            #expect(try lossFunction(model(x), y).item() < 1e-2)
        }
    }

    @Test("cuda if it is there, else the CPU")
    func deviceLine() throws {
        // snippet: seed-device
        let device: Device = cuda.isAvailable ? .cuda : .cpu
        print("Using \(device) device")
        let model = try Linear(6, 5).to(device)
        let x = try Tensor.rand([2, 6], device: device)
        let y = try model(x)
        // end snippet
        #expect(y.shape == [2, 5])
        #expect(y.device == device)
    }
}
