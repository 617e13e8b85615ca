import SwiftTorchCore

/// Labelled images kept as their files' bytes (pixel values 0...255), made into float32
/// tensors a sample or a batch at a time: what ``MNIST``, ``FashionMNIST`` and ``CIFAR10``
/// share. Bytes take a quarter of the memory float32 would (CIFAR-10's training half is
/// 150 MB, not 600), and a batch without transforms is one pass over them.
struct LabeledImageBytes: Sendable {
    /// The data set's name, for errors.
    let name: String
    /// The bytes holding the pixels: image `i`'s pixels are `pixelCount` bytes from
    /// `firstPixel + i * recordStride`, channel by channel, row by row.
    let bytes: [UInt8]
    let firstPixel: Int
    let recordStride: Int
    /// One image's shape, [C, H, W].
    let imageShape: [Int]
    /// The label of each image.
    let labels: [Int64]
    let transform: (any Transform)?
    let targetTransform: (any Transform)?

    var count: Int { labels.count }
    private var pixelCount: Int { imageShape.reduce(1, *) }

    /// Image `index` (negative counts from the end) and its label, each transformed.
    func sample(_ index: Int) throws -> (Tensor, Tensor) {
        let i = try position(index)
        let image = try images([i], shape: imageShape)
        let label = try Tensor(labels[i])
        return (try transform?(image) ?? image, try targetTransform?(label) ?? label)
    }

    /// The images at `indices` stacked [B, C, H, W] and their labels [B], transformed one by
    /// one (as torchvision applies transforms) when there are transforms.
    func batch(_ indices: [Int]) throws -> (Tensor, Tensor) {
        guard !indices.isEmpty else {
            throw TorchError(.invalidArgument, "\(name): a batch needs at least one sample")
        }
        let positions = try indices.map(position)
        let imageBatch = try transform.map { t in try stack(positions.map { try t(images([$0], shape: imageShape)) }) }
            ?? images(positions, shape: [positions.count] + imageShape)
        let labelValues = positions.map { labels[$0] }
        let labelBatch = try targetTransform.map { t in try stack(labelValues.map { try t(Tensor($0)) }) }
            ?? Tensor(labelValues, shape: [labelValues.count], dtype: .int64)
        return (imageBatch, labelBatch)
    }

    /// `index` as a position in 0 ..< count.
    private func position(_ index: Int) throws -> Int {
        let i = index < 0 ? index + count : index
        guard i >= 0, i < count else {
            throw TorchError(.indexOutOfRange, "\(name): index \(index) is out of range for \(count) samples")
        }
        return i
    }

    /// The images at `positions` (valid) as one float32 tensor of `shape`, pixels 0...255.
    private func images(_ positions: [Int], shape: [Int]) throws -> Tensor {
        let pixelCount = pixelCount
        return try Tensor.filledOnCPU(shape, dtype: .float32) { target in
            let out = target.bindMemory(to: Float.self)
            bytes.withUnsafeBufferPointer { all in
                for (n, i) in positions.enumerated() {
                    let start = firstPixel + i * recordStride
                    for k in 0..<pixelCount { out[n * pixelCount + k] = Float(all[start + k]) }
                }
            }
        }
    }
}

/// A dataset whose samples are a ``LabeledImageBytes``'s: MNIST, Fashion-MNIST and CIFAR-10
/// differ only in how they read their files.
protocol LabeledImageDataset: Dataset where Sample == (Tensor, Tensor) {
    var storage: LabeledImageBytes { get }
}

extension LabeledImageDataset {
    /// The number of images.
    public var count: Int { storage.count }

    /// Image `index` (negative counts from the end) and its label, each transformed.
    public subscript(index: Int) -> (Tensor, Tensor) { get throws { try storage.sample(index) } }

    /// The images and labels at `indices`, stacked: [B, C, H, W] and [B].
    public func batch(_ indices: [Int]) throws -> (Tensor, Tensor) { try storage.batch(indices) }
}
