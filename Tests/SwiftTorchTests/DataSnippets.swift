import Foundation
import SwiftTorch
import Testing

// The examples of the doc comments in Sources/SwiftTorch/Data/, compiled and run. Each
// region between `// snippet: NAME` and `// end snippet` equals the comment's block marked
// `/// <!-- snippet: NAME -->` (SourceDocSnippetTests checks it).

/// A small model, its loss and optimizer for 64 features and 10 classes, or for MNIST's
/// [1, 28, 28] images.
private func classifier(inputs: Int) throws -> (Sequential, CrossEntropyLoss, SGD) {
    let model = Sequential {
        Flatten()
        Linear(inputs, 10)
    }
    return (model, CrossEntropyLoss(), try SGD(model.parameters(), lr: 0.01))
}

@Suite("Docs: the Data/ doc comments' examples run")
struct DataSnippets {
    @Test func loaderAndDigits() async throws {
        // snippet: data-digits
        let digits = try Digits.load()
        let data = try TensorDataset(digits.features / 16, digits.labels)
        // end snippet
        let train = try Subset(data, indices: Array(0..<128))
        let (model, lossFunction, optimizer) = try classifier(inputs: 64)
        // snippet: data-loader
        let loader = DataLoader(train, batchSize: 64, shuffle: true, generator: Generator(seed: 0))
        for _ in 1...3 {
            for try await (images, labels) in loader {   // [64, 64] and [64]
                optimizer.zeroGrad()
                try lossFunction(model(images), labels).backward()
                try optimizer.step()
            }
        }
        // end snippet
        #expect(loader.count == 2)
    }

    @Test func tensorDatasetAndSplits() async throws {
        let (features, labels) = try Digits.load()
        // snippet: data-tensor-dataset
        let data = try TensorDataset(features, labels)   // [N, 64] and [N]
        let (x, y) = try data[0]                         // [64] and []
        for try await (inputs, targets) in DataLoader(data, batchSize: 32) {
            print(inputs.shape, targets.shape)           // [32, 64] [32], ...
        }
        // end snippet
        #expect(x.shape == [64] && y.shape == [])
        try lengths(data)
        try fractions(data)
    }

    private func lengths(_ data: TensorDataset<(Tensor, Tensor)>) throws {
        // snippet: data-random-split-lengths
        let parts = try randomSplit(data, lengths: [1000, 797], generator: Generator(seed: 0))
        // end snippet
        #expect(parts.map(\.count) == [1000, 797])
    }

    private func fractions(_ data: TensorDataset<(Tensor, Tensor)>) throws {
        // snippet: data-random-split-fractions
        let parts = try randomSplit(data, fractions: [0.8, 0.2], generator: Generator(seed: 0))
        let (train, test) = (parts[0], parts[1])
        // end snippet
        #expect((train.count, test.count) == (1438, 359))
    }

    @Test func mnistAndFashionMNIST() async throws {
        try await withTestFolder { folder in
            try writeTestMNISTFiles(to: folder, compressed: true)
            try writeTestMNISTFiles(to: folder.appendingPathComponent("FashionMNIST/raw"), compressed: false)
            let (model, lossFunction, _) = try classifier(inputs: 784)
            // snippet: data-mnist
            let transform = Compose([ToTensor(), Normalize(mean: [0.1307], std: [0.3081])])
            let train = try MNIST(root: folder, train: true, transform: transform)
            for try await (images, labels) in DataLoader(train, batchSize: 64, shuffle: true) {
                try lossFunction(model(images), labels).backward()
            }
            // end snippet
            #expect(model.parameters().allSatisfy { $0.grad != nil })
            try fashion(folder)
        }
    }

    private func fashion(_ folder: URL) throws {
        // snippet: data-fashion-mnist
        let train = try FashionMNIST(root: folder, train: true, transform: ToTensor())
        print(FashionMNIST.classes[try train[0].1.item(Int.self)])
        // end snippet
        #expect(try train[0].0.max().item(Double.self) <= 1)
    }

    @Test func cifar10AndCompose() async throws {
        try await withTestFolder { folder in
            try writeTestCIFARFiles(to: folder)
            // snippet: data-cifar10
            let augment = Compose([RandomCrop(32, padding: 4), RandomHorizontalFlip(), ToTensor(),
                                   Normalize(mean: [0.4914, 0.4822, 0.4465], std: [0.2470, 0.2435, 0.2616])])
            let train = try CIFAR10(root: folder, train: true, transform: augment)
            let (image, label) = try train[0]   // [3, 32, 32] and []
            // end snippet
            #expect(image.shape == [3, 32, 32] && label.shape == [])
        }
        let pixels = try Tensor([0, 255, 127.5], shape: [1, 1, 3])
        // snippet: data-compose
        let transform = Compose([ToTensor(), Normalize(mean: [0.5], std: [0.5])])
        let scaled = try transform(pixels)   // 0...255 to [-1, 1]
        // end snippet
        #expect(try scaled.toArray(of: Float.self) == [-1, 1, 0])
    }
}
