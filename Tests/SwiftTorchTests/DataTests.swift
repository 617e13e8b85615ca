import Foundation
import SwiftTorch
import Testing

// Datasets, the DataLoader, random splits and the digits and MNIST loaders.

/// Sample i is [features [i, i + 0.5], label i].
private func indexedDataset(_ n: Int) throws -> TensorDataset<(Tensor, Tensor)> {
    let features = try Tensor((0..<n).flatMap { [Double($0), Double($0) + 0.5] }, shape: [n, 2], dtype: .float32)
    return try TensorDataset(features, Tensor(Array(0..<n), shape: [n]))
}

/// The labels (sample indices) of every batch in one pass, through the documented loop.
private func labelsPerBatch<D: Dataset>(_ loader: DataLoader<D>) async throws -> [[Int]] where D.Sample == (Tensor, Tensor) {
    var labels: [[Int]] = []
    for try await (_, batchLabels) in loader { labels.append(try batchLabels.toArray(of: Int.self)) }
    return labels
}

/// A dataset without a batch fast path, so batches are collated sample by sample.
private struct SquaresDataset: Dataset {
    var count: Int { 5 }
    subscript(index: Int) -> [Tensor] {
        get throws { [try Tensor([Double(index), Double(index * index)], shape: [2]), try Tensor(index)] }
    }
}

@Suite("Datasets and DataLoader")
struct DataTests {
    @Test func tensorDatasetIndexesAlongTheFirstDimension() throws {
        let data = try indexedDataset(4)
        #expect(data.count == 4)
        let (features, label) = try data[2]
        #expect(features.shape == [2])
        #expect(try features.toArray(of: Double.self) == [2, 2.5])
        #expect(label.shape == [])
        #expect(try label.item(Int.self) == 2)
        #expect(try data[-1].1.item(Int.self) == 3)
        #expect(throws: TorchError.self) { try data[4] }
    }

    @Test func tensorDatasetRejectsTensorsOfDifferentLengths() throws {
        let error = #expect(throws: TorchError.self) { try TensorDataset(Tensor.zeros([3, 2]), Tensor.zeros([4])) }
        #expect(error?.kind == .shapeMismatch)
        #expect(throws: TorchError.self) { try TensorDataset(Tensor(1.0)) }
    }

    @Test func loaderBatchesInOrderWithASmallerLastBatch() async throws {
        let loader = DataLoader(try indexedDataset(10), batchSize: 4)
        #expect(loader.count == 3)
        var batches: [(Tensor, Tensor)] = []
        for try await (features, labels) in loader { batches.append((features, labels)) }
        #expect(batches.map { $0.0.shape } == [[4, 2], [4, 2], [2, 2]])
        #expect(batches.map { $0.1.shape } == [[4], [4], [2]])
        #expect(try batches[0].0.toArray(of: Double.self) == [0, 0.5, 1, 1.5, 2, 2.5, 3, 3.5])
        #expect(try await labelsPerBatch(loader) == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]])
    }

    @Test func dropLastLeavesOutTheIncompleteBatch() async throws {
        let loader = DataLoader(try indexedDataset(10), batchSize: 4, dropLast: true)
        #expect(loader.count == 2)
        #expect(try await labelsPerBatch(loader) == [[0, 1, 2, 3], [4, 5, 6, 7]])
        #expect(DataLoader(try indexedDataset(8), batchSize: 4, dropLast: true).count == 2)
        #expect(DataLoader(try indexedDataset(3), batchSize: 4, dropLast: true).count == 0)
    }

    @Test func shuffleVisitsEverySampleOncePerEpochInANewOrder() async throws {
        let loader = DataLoader(try indexedDataset(50), batchSize: 8, shuffle: true, generator: Generator(seed: 3))
        let first = try await labelsPerBatch(loader).flatMap { $0 }
        let second = try await labelsPerBatch(loader).flatMap { $0 }
        #expect(first.sorted() == Array(0..<50))
        #expect(second.sorted() == Array(0..<50))
        #expect(first != Array(0..<50))
        #expect(first != second)
    }

    @Test func sameSeedGivesTheSameEpochs() async throws {
        let a = DataLoader(try indexedDataset(30), batchSize: 7, shuffle: true, generator: Generator(seed: 11))
        let b = DataLoader(try indexedDataset(30), batchSize: 7, shuffle: true, generator: Generator(seed: 11))
        for _ in 0..<3 {
            let (fromA, fromB) = (try await labelsPerBatch(a), try await labelsPerBatch(b))
            #expect(fromA == fromB)
        }
        let c = DataLoader(try indexedDataset(30), batchSize: 7, shuffle: true, generator: Generator(seed: 12))
        let d = DataLoader(try indexedDataset(30), batchSize: 7, shuffle: true, generator: Generator(seed: 11))
        let (fromC, fromD) = (try await labelsPerBatch(c), try await labelsPerBatch(d))
        #expect(fromC != fromD)
    }

    @Test func samplesWithoutAFastPathAreStacked() throws {
        // Synchronous code walks a pass with the iterator's next(), as trainClassifier does.
        var iterator = DataLoader(SquaresDataset(), batchSize: 3).makeAsyncIterator()
        let batch = try #require(try iterator.next())
        #expect(batch[0].shape == [3, 2])
        #expect(try batch[0].toArray(of: Double.self) == [0, 0, 1, 1, 2, 4])
        #expect(try batch[1].toArray(of: Int.self) == [0, 1, 2])
        #expect(try iterator.next()?[1].toArray(of: Int.self) == [3, 4])
        #expect(try iterator.next() == nil)
    }

    @Test func collateRejectsSamplesOfDifferentShapes() throws {
        #expect(throws: TorchError.self) { try collate([[Tensor.zeros([2])], [Tensor.zeros([3])]]) }
        #expect(throws: TorchError.self) { try collate([[Tensor.zeros([2])], [Tensor.zeros([2]), Tensor.zeros([1])]]) }
        #expect(throws: TorchError.self) { try collate([[Tensor]]()) }
    }

    @Test func randomSplitGivesDisjointSubsetsOfTheRequestedSizes() throws {
        let data = try indexedDataset(100)
        let parts = try randomSplit(data, lengths: [70, 20, 10], generator: Generator(seed: 5))
        #expect(parts.map(\.count) == [70, 20, 10])
        let all = parts.flatMap(\.indices)
        #expect(all.sorted() == Array(0..<100))
        #expect(all != Array(0..<100))
        // Samples of a subset are the base's samples at its indices, by either path.
        let subset = parts[1]
        #expect(try subset[3].1.item(Int.self) == subset.indices[3])
        #expect(try subset.batch([0, 1]).1.toArray(of: Int.self) == Array(subset.indices[0..<2]))
    }

    @Test func randomSplitByFractionsIsSeededAndGivesTheRemainderToTheFirstParts() throws {
        let data = try indexedDataset(1797)
        let a = try randomSplit(data, fractions: [0.8, 0.2], generator: Generator(seed: 0))
        let b = try randomSplit(data, fractions: [0.8, 0.2], generator: Generator(seed: 0))
        #expect(a.map(\.count) == [1438, 359])
        #expect(a.map(\.indices) == b.map(\.indices))
        #expect(Set(a[0].indices).isDisjoint(with: a[1].indices))
        let thirds: [Subset<TensorDataset<(Tensor, Tensor)>>] = try randomSplit(try indexedDataset(10), fractions: [0.33, 0.33, 0.34])
        #expect(thirds.map(\.count) == [4, 3, 3])
    }

    @Test func randomSplitRejectsSizesThatDoNotAddUp() throws {
        let data = try indexedDataset(10)
        #expect(throws: TorchError.self) { try randomSplit(data, lengths: [5, 4]) }
        #expect(throws: TorchError.self) { try randomSplit(data, lengths: [11, -1]) }
        #expect(throws: TorchError.self) { try randomSplit(data, fractions: [0.5, 0.4]) }
    }

    @Test func loaderOverASubsetBatchesTheSubsetsSamples() async throws {
        let parts = try randomSplit(try indexedDataset(20), lengths: [15, 5], generator: Generator(seed: 1))
        let loader = DataLoader(parts[1], batchSize: 2)
        #expect(loader.count == 3)
        #expect(try await labelsPerBatch(loader).flatMap { $0 } == parts[1].indices)
    }
}

/// An IDX file of unsigned bytes with the given sizes.
func idxBytes(_ sizes: [Int], _ values: [UInt8]) -> [UInt8] {
    [0, 0, 8, UInt8(sizes.count)] + sizes.flatMap { s in (0..<4).map { UInt8(truncatingIfNeeded: s >> (8 * (3 - $0))) } } + values
}

/// Three 28x28 images: pixel k of image i is (31 i + k) mod 256.
private let syntheticPixels: [UInt8] = (0..<(3 * 784)).map { (k: Int) -> UInt8 in
    let image = k / 784, pixel = k % 784
    return UInt8((image * 31 + pixel) % 256)
}
private let syntheticLabels: [UInt8] = [3, 1, 4]

/// Writes the four MNIST files (train and t10k alike) to `folder`, gzip-compressed or not.
private func writeMNIST(to folder: URL, compressed: Bool, images: [UInt8]? = nil, labels: [UInt8]? = nil) throws {
    let files = [("images-idx3-ubyte", images ?? idxBytes([3, 28, 28], syntheticPixels)),
                 ("labels-idx1-ubyte", labels ?? idxBytes([3], syntheticLabels))]
    for prefix in ["train", "t10k"] {
        for (name, bytes) in files {
            let url = folder.appendingPathComponent("\(prefix)-\(name)" + (compressed ? ".gz" : ""))
            try Data(compressed ? Gzip.compress(bytes) : bytes).write(to: url)
        }
    }
}

@Suite("Data set loaders")
struct StoredDataTests {
    @Test func bundledDigitsHaveTheirShapesLabelsAndValues() throws {
        let digits = try Digits.load()
        #expect(digits.features.shape == [1797, 64])
        #expect(digits.features.dtype == .float32)
        #expect(digits.labels.shape == [1797])
        #expect(digits.labels.dtype == .int64)
        let labels = try digits.labels.toArray(of: Int.self)
        #expect(Set(labels) == Set(0..<10))
        #expect(labels.filter { $0 == 8 }.count == 174)
        // First and last rows as Python's gzip module reads them from the CSV.
        #expect(try digits.features[0].toArray(of: Double.self).prefix(16) == [0, 0, 5, 13, 9, 1, 0, 0, 0, 0, 13, 15, 10, 15, 5, 0])
        #expect(try digits.features[1796].toArray(of: Double.self).prefix(16) == [0, 0, 10, 14, 8, 1, 0, 0, 0, 2, 16, 14, 6, 1, 0, 0])
        #expect((labels[0], labels[1796]) == (0, 8))
        #expect(try digits.features.sum().item(Double.self) == 561_718)
        #expect(try digits.features.max().item(Double.self) == 16)
    }

    @Test func malformedDigitsFileIsAnIOErrorNamingTheLine() throws {
        try withDataTestFolder { folder in
            let url = folder.appendingPathComponent("digits.csv")
            let good = Array(repeating: "1", count: 64).joined(separator: ",") + ",7\n"
            try Data((good + "1,2,3\n").utf8).write(to: url)
            let error = #expect(throws: TorchError.self) { try Digits.load(from: url) }
            #expect(error?.kind == .io)
            #expect(error?.message.contains("line 2") == true)
            try Data(good.utf8).write(to: url)
            #expect(try Digits.load(from: url).labels.toArray(of: Int.self) == [7])
        }
    }

    @Test(arguments: [false, true])
    func mnistReadsImagesAndLabels(compressed: Bool) throws {
        try withDataTestFolder { folder in
            try writeMNIST(to: folder, compressed: compressed)
            for split in [MNIST.Split.train, .test] {
                let mnist = try MNIST.load(from: folder, split: split)
                #expect(mnist.images.shape == [3, 28, 28])
                #expect(mnist.images.dtype == .float32)
                #expect(try mnist.labels.toArray(of: Int.self) == [3, 1, 4])
                #expect(mnist.labels.dtype == .int64)
                let pixels = try mnist.images.toArray(of: Float.self)
                #expect(pixels == syntheticPixels.map { Float($0) / 255 })
            }
            let raw = try MNIST.load(from: folder, scaling: .raw)
            #expect(try raw.images.toArray(of: Float.self) == syntheticPixels.map(Float.init))
        }
    }

    @Test func mnistMissingFolderOrFileNamesThePathsTried() throws {
        let nowhere = URL(fileURLWithPath: "/nonexistent/mnist")
        let missingFolder = #expect(throws: TorchError.self) { try MNIST.load(from: nowhere) }
        #expect(missingFolder?.kind == .io)
        #expect(missingFolder?.message.contains("/nonexistent/mnist") == true)
        try withDataTestFolder { folder in
            let error = #expect(throws: TorchError.self) { try MNIST.load(from: folder, split: .test) }
            #expect(error?.kind == .io)
            #expect(error?.message.contains(folder.appendingPathComponent("t10k-images-idx3-ubyte").path) == true)
            #expect(error?.message.contains(folder.appendingPathComponent("t10k-images-idx3-ubyte.gz").path) == true)
        }
    }

    /// Damaged MNIST files and the words their errors must contain.
    static let damagedMNIST: [(String, images: [UInt8]?, labels: [UInt8]?, compressed: Bool, problem: String)] = [
        ("bad magic", [0, 0, 8, 1] + idxBytes([3, 28, 28], syntheticPixels).dropFirst(4), nil, false, "bad magic number"),
        ("labels file as images", idxBytes([3], syntheticLabels), nil, false, "bad magic number"),
        ("truncated images", Array(idxBytes([3, 28, 28], syntheticPixels).dropLast(100)), nil, false, "truncated"),
        ("truncated header", Array(idxBytes([3, 28, 28], syntheticPixels).prefix(10)), nil, false, "truncated"),
        ("extra bytes", idxBytes([3, 28, 28], syntheticPixels) + [0], nil, false, "corrupt"),
        ("counts differ", nil, idxBytes([2], [1, 2]), false, "3 images but"),
        ("truncated gzip", nil, nil, true, "truncated gzip"),
    ]

    @Test(arguments: damagedMNIST.indices)
    func damagedMNISTIsAnIOError(_ i: Int) throws {
        let (what, images, labels, compressed, problem) = Self.damagedMNIST[i]
        try withDataTestFolder { folder in
            try writeMNIST(to: folder, compressed: compressed, images: images, labels: labels)
            if compressed {
                let url = folder.appendingPathComponent("train-images-idx3-ubyte.gz")
                try Data(contentsOf: url).dropLast(20).write(to: url)
            }
            let error = #expect(throws: TorchError.self, "\(what)") { try MNIST.load(from: folder) }
            #expect(error?.kind == .io, "\(what)")
            #expect(error?.message.contains(problem) == true, "\(what): \(error?.message ?? "")")
        }
    }

    @Test func gzipRoundTripsAndRejectsDamagedData() throws {
        let text = Array(String(repeating: "SwiftTorch reads gzip through zlib. ", count: 500).utf8)
        let packed = try Gzip.compress(text)
        #expect(packed.count < text.count / 10)
        #expect(try Gzip.decompress(packed) == text)
        #expect(try Gzip.decompress(packed + Gzip.compress([1, 2, 3])) == text + [1, 2, 3])
        #expect(try Gzip.decompress(Gzip.compress([])) == [])
        var flipped = packed
        flipped[flipped.count / 2] ^= 0xFF
        #expect(throws: TorchError.self) { try Gzip.decompress(flipped) }
        #expect(throws: TorchError.self) { try Gzip.decompress(Array(packed.dropLast(4))) }
        #expect(throws: TorchError.self) { try Gzip.decompress(text) }
    }
}
