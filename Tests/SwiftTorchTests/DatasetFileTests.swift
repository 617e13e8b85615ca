import Foundation
import SwiftTorch
import Testing

// MNIST, Fashion-MNIST and CIFAR-10 as datasets, read from small files each test writes.

/// A fresh folder for one test's files, removed afterwards (async bodies too).
func withTestFolder(_ body: (URL) async throws -> Void) async throws {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("swifttorch-datasets-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    try await body(folder)
}

/// Four 28x28 images: pixel k of image i is (7 i + k) mod 256; labels 5, 0, 9, 2.
private let mnistPixels: [UInt8] = (0..<(4 * 784)).map { (k: Int) -> UInt8 in
    let image = k / 784, pixel = k % 784
    return UInt8((7 * image + pixel) % 256)
}
private let mnistLabels: [UInt8] = [5, 0, 9, 2]

/// Writes MNIST-format train and t10k files into `folder` (created if needed).
func writeTestMNISTFiles(to folder: URL, compressed: Bool) throws {
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    for prefix in ["train", "t10k"] {
        for (name, bytes) in [("images-idx3-ubyte", idxBytes([4, 28, 28], mnistPixels)), ("labels-idx1-ubyte", idxBytes([4], mnistLabels))] {
            let url = folder.appendingPathComponent("\(prefix)-\(name)" + (compressed ? ".gz" : ""))
            try Data(compressed ? Gzip.compress(bytes) : bytes).write(to: url)
        }
    }
}

/// A CIFAR-10 record: `label`, then red, green and blue planes where pixel k of plane c
/// is (label + 3 c + k) mod 256.
private func cifarRecord(label: UInt8) -> [UInt8] {
    let pixels = (0..<3072).map { (k: Int) -> UInt8 in
        let plane = k / 1024, pixel = k % 1024
        return UInt8((Int(label) + 3 * plane + pixel) % 256)
    }
    return [label] + pixels
}

/// Writes data_batch_1...5 (two records each, labels 2 b - 2 and 2 b - 1 mod 10) and
/// test_batch (three records) into `folder`.
func writeTestCIFARFiles(to folder: URL) throws {
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    for b in 1...5 {
        let bytes = cifarRecord(label: UInt8((2 * b - 2) % 10)) + cifarRecord(label: UInt8((2 * b - 1) % 10))
        try Data(bytes).write(to: folder.appendingPathComponent("data_batch_\(b).bin"))
    }
    try Data(cifarRecord(label: 7) + cifarRecord(label: 8) + cifarRecord(label: 9)).write(to: folder.appendingPathComponent("test_batch.bin"))
}

@Suite("Dataset files")
struct DatasetFileTests {
    @Test(arguments: [false, true])
    func mnistGivesImagesOfOneChannelAndTheirLabels(compressed: Bool) async throws {
        try await withTestFolder { folder in
            try writeTestMNISTFiles(to: folder, compressed: compressed)
            for train in [true, false] {
                let data = try MNIST(root: folder, train: train)
                #expect(data.count == 4)
                let (image, label) = try data[2]
                #expect(image.shape == [1, 28, 28])
                #expect(image.dtype == .float32)
                #expect(try image.toArray(of: Float.self) == mnistPixels[(2 * 784)..<(3 * 784)].map(Float.init))
                #expect(label.shape == [] && label.dtype == .int64)
                #expect(try label.item(Int.self) == 9)
                #expect(try data[-1].1.item(Int.self) == 2)
                let (images, labels) = try data.batch([3, 0])
                #expect(images.shape == [2, 1, 28, 28])
                #expect(try images[0].toArray(of: Float.self) == data[3].0.toArray(of: Float.self))
                #expect(try labels.toArray(of: Int.self) == [2, 5])
                #expect(labels.dtype == .int64)
            }
            let outOfRange = #expect(throws: TorchError.self) { try MNIST(root: folder)[4] }
            #expect(outOfRange?.kind == .indexOutOfRange)
            #expect(MNIST.classes.count == 10)
        }
    }

    @Test func mnistAppliesTransformsToEachSampleInTheLoader() async throws {
        try await withTestFolder { folder in
            try writeTestMNISTFiles(to: folder.appendingPathComponent("MNIST/raw"), compressed: true)
            let transform = Compose([ToTensor(), Normalize(mean: [0.5], std: [0.25])])
            let data = try MNIST(root: folder, train: false, transform: transform, targetTransform: Lambda { try $0 + 100 })
            var labels: [Int] = []
            var firstImages: [Float] = []
            for try await (images, batchLabels) in DataLoader(data, batchSize: 3) {
                #expect(images.shape[1...] == [1, 28, 28])
                labels += try batchLabels.toArray(of: Int.self)
                if firstImages.isEmpty { firstImages = try images[0].toArray(of: Float.self) }
            }
            #expect(labels == [105, 100, 109, 102])
            #expect(firstImages == mnistPixels[..<784].map { (Float($0) / 255 - 0.5) / 0.25 })
        }
    }

    @Test func fashionMNISTReadsTheSameFormatFromItsOwnFolder() async throws {
        try await withTestFolder { folder in
            let missing = #expect(throws: TorchError.self) { try FashionMNIST(root: folder) }
            #expect(missing?.kind == .io)
            #expect(missing?.message.contains(folder.appendingPathComponent("FashionMNIST/raw/train-images-idx3-ubyte.gz").path) == true)
            try writeTestMNISTFiles(to: folder.appendingPathComponent("FashionMNIST/raw"), compressed: true)
            let data = try FashionMNIST(root: folder, train: true, transform: ToTensor())
            let (image, label) = try data[1]
            #expect(try image.toArray(of: Float.self) == mnistPixels[784..<1568].map { Float($0) / 255 })
            #expect(try label.item(Int.self) == 0)
            #expect(FashionMNIST.classes[9] == "Ankle boot")
        }
    }

    @Test func damagedMNISTFilesThrowNamingTheFile() async throws {
        try await withTestFolder { folder in
            try writeTestMNISTFiles(to: folder, compressed: false)
            let url = folder.appendingPathComponent("train-images-idx3-ubyte")
            try Data(idxBytes([4, 28, 28], mnistPixels).dropLast(5)).write(to: url)
            let error = #expect(throws: TorchError.self) { try MNIST(root: folder) }
            #expect(error?.kind == .io)
            #expect(error?.message.contains(url.path) == true)
            #expect(error?.message.contains("truncated") == true)
            let labels = folder.appendingPathComponent("t10k-labels-idx1-ubyte")
            try Data(idxBytes([3], [1, 2, 3])).write(to: labels)
            let counts = #expect(throws: TorchError.self) { try FashionMNIST(root: folder, train: false) }
            #expect(counts?.message.contains("holds 4 images but \(labels.path) holds 3 labels") == true)
        }
    }

    @Test func cifar10ReadsTheFiveTrainingBatchesAndTheTestBatch() async throws {
        try await withTestFolder { folder in
            try writeTestCIFARFiles(to: folder.appendingPathComponent("cifar-10-batches-bin"))
            let train = try CIFAR10(root: folder, train: true)
            #expect(train.count == 10)
            let (image, label) = try train[3]                   // data_batch_2's second record
            #expect(image.shape == [3, 32, 32])
            #expect(image.dtype == .float32)
            #expect(try label.item(Int.self) == 3)
            #expect(try image.toArray(of: Float.self) == cifarRecord(label: 3).dropFirst().map(Float.init))
            // Plane 1 is green: its first pixel is label + 3.
            #expect(try image[1][0][0].item(Double.self) == 6)
            var labels: [Int] = []
            for try await (images, batchLabels) in DataLoader(train, batchSize: 4) {
                #expect(images.shape[1...] == [3, 32, 32])
                labels += try batchLabels.toArray(of: Int.self)
            }
            #expect(labels == [0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
            let test = try CIFAR10(root: folder, train: false)
            #expect(try test.batch([0, 1, 2]).1.toArray(of: Int.self) == [7, 8, 9])
            #expect(try test.batch([2]).0.toArray(of: Float.self) == cifarRecord(label: 9).dropFirst().map(Float.init))
            #expect(CIFAR10.classes[3] == "cat")
        }
    }

    @Test func cifar10TransformsAreAppliedPerSampleAndAreTheSameForAnyWorkerCount() async throws {
        try await withTestFolder { folder in
            try writeTestCIFARFiles(to: folder)
            let augment = Compose([RandomCrop(32, padding: 4), RandomHorizontalFlip(), ToTensor(),
                                   Normalize(mean: [0.4914, 0.4822, 0.4465], std: [0.2470, 0.2435, 0.2616])])
            let train = try CIFAR10(root: folder, transform: augment, targetTransform: Lambda { try $0 * 10 })
            var runs: [[Float]] = []
            for workers in [0, 3] {
                let loader = DataLoader(train, batchSize: 3, shuffle: true, numWorkers: workers, generator: Generator(seed: 4))
                var values: [Float] = []
                for try await (images, labels) in loader {
                    #expect(images.shape[1...] == [3, 32, 32])
                    #expect(try labels.toArray(of: Int.self).allSatisfy { $0 % 10 == 0 })
                    values += try images.toArray(of: Float.self)
                }
                runs.append(values)
            }
            #expect(runs[0].count == 10 * 3072)
            #expect(runs[1] == runs[0])
        }
    }

    /// Damaged CIFAR-10 files and the words their errors must contain.
    static let damagedCIFAR: [(String, bytes: [UInt8], problem: String)] = [
        ("truncated", Array(cifarRecord(label: 1).dropLast(10)), "3063 bytes is not a whole number of 3073-byte records"),
        ("empty", [], "0 bytes is not a whole number"),
        ("bad label", cifarRecord(label: 1) + cifarRecord(label: 10), "record 1 has label 10, outside 0...9"),
    ]

    @Test(arguments: damagedCIFAR.indices)
    func damagedCIFARFilesThrowNamingTheFile(_ i: Int) async throws {
        let (what, bytes, problem) = Self.damagedCIFAR[i]
        try await withTestFolder { folder in
            try writeTestCIFARFiles(to: folder)
            let url = folder.appendingPathComponent("data_batch_3.bin")
            try Data(bytes).write(to: url)
            let error = #expect(throws: TorchError.self, "\(what)") { try CIFAR10(root: folder) }
            #expect(error?.kind == .io)
            #expect(error?.message.contains(url.path) == true, "\(what)")
            #expect(error?.message.contains(problem) == true, "\(what): \(error?.message ?? "")")
            #expect(try CIFAR10(root: folder, train: false).count == 3)
        }
    }

    @Test func aMissingCIFARFileListsWhereItWasLookedFor() async throws {
        try await withTestFolder { folder in
            let error = #expect(throws: TorchError.self) { try CIFAR10(root: folder, train: false) }
            #expect(error?.kind == .io)
            #expect(error?.message.contains(folder.appendingPathComponent("test_batch.bin").path) == true)
            #expect(error?.message.contains(folder.appendingPathComponent("cifar-10-batches-bin/test_batch.bin").path) == true)
        }
    }
}
