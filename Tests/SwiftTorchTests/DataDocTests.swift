import Foundation
import SwiftTorch
import Testing

// Docs/data.md's code, compiled and run. Each region between `// snippet: NAME` and
// `// end snippet` must equal the Markdown block marked `<!-- tested: NAME -->`, which the
// last test checks (with TrainingToolsDocTests' check).

/// Writes a small MNIST (three images per split, plain IDX files) into `folder`.
private func writeSmallMNIST(to folder: URL) throws {
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    let pixels = (0..<(3 * 784)).map { UInt8($0 % 256) }
    for prefix in ["train", "t10k"] {
        try Data(idxBytes([3, 28, 28], pixels)).write(to: folder.appendingPathComponent("\(prefix)-images-idx3-ubyte"))
        try Data(idxBytes([3], [4, 1, 7])).write(to: folder.appendingPathComponent("\(prefix)-labels-idx1-ubyte"))
    }
}

@Suite("Docs: data.md runs")
struct DataDocTests {
    @Test func datasetsTransformsAndLoaders() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("swifttorch-data-doc-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        try writeSmallMNIST(to: root.appendingPathComponent("MNIST/raw"))
        let model = Sequential {
            Flatten()
            Linear(784, 10)
        }
        let lossFunction = CrossEntropyLoss()
        // snippet: mnist
        let transform = Compose([ToTensor(), Normalize(mean: [0.1307], std: [0.3081])])
        let train = try MNIST(root: root, train: true, transform: transform)
        let loader = DataLoader(train, batchSize: 64, shuffle: true, numWorkers: 2)

        for try await (images, labels) in loader {   // [64, 1, 28, 28] and [64]
            let loss = try lossFunction(model(images), labels)
            try loss.backward()
        }
        // end snippet
        #expect(train.count == 3)
        #expect(loader.count == 1)
    }

    @Test func augmentation() throws {
        let image = try Tensor.rand([3, 32, 32]) * 255
        // snippet: augmentation
        let augment = Compose([
            RandomCrop(32, padding: 4),
            RandomHorizontalFlip(),
            ToTensor(),
            Normalize(mean: [0.4914, 0.4822, 0.4465], std: [0.2470, 0.2435, 0.2616]),
        ])
        let sample = try augment(image)                    // [3, 32, 32]
        let seeded = RandomCrop(28, generator: Generator(seed: 0))   // its own stream
        // end snippet
        #expect(sample.shape == [3, 32, 32])
        #expect(try seeded(image).shape == [3, 28, 28])
    }

    @Test func customDatasetAndCollate() async throws {
        // snippet: custom-dataset
        struct Squares: Dataset {
            var count: Int { 100 }
            subscript(index: Int) -> (Tensor, Tensor) {
                get throws {
                    let x = Double(index) / 100
                    return (try Tensor([x], shape: [1]), try Tensor([x * x], shape: [1]))
                }
            }
        }

        for try await (x, y) in DataLoader(Squares(), batchSize: 10, shuffle: true) {
            print(x.shape, y.shape)                        // [10, 1] [10, 1]
        }
        // end snippet
        var shapes: [[Int]] = []
        for try await (x, _) in DataLoader(Squares(), batchSize: 10) { shapes.append(x.shape) }
        #expect(shapes == Array(repeating: [10, 1], count: 10))

        // snippet: collate
        // Sequences of different lengths, padded with zeros to the longest of each batch.
        struct Sentences: Dataset {
            let lengths = [3, 5, 2, 4]
            var count: Int { lengths.count }
            subscript(index: Int) -> [Tensor] {
                get throws { [try Tensor.ones([lengths[index]])] }
            }
        }
        let padded = DataLoader(Sentences(), batchSize: 2, collate: { samples in
            let longest = samples.map { $0[0].shape[0] }.max() ?? 0
            let rows = try samples.map { sample in
                try cat([sample[0], Tensor.zeros([longest - sample[0].shape[0]])])
            }
            return [try stack(rows)]
        })
        // end snippet
        var widths: [[Int]] = []
        for try await batch in padded { widths.append(batch[0].shape) }
        #expect(widths == [[2, 5], [2, 4]])
    }

    @Test("every marked block of data.md equals its region here, and every region is used")
    func documentMatchesRegions() throws {
        try TrainingToolsDocTests.expectBlocks(of: "Docs/data.md", toEqualRegionsOf: #filePath)
    }
}
