import SwiftTorchCore

/// Batches of a ``Dataset``, as PyTorch's `DataLoader`: a `Sequence` whose elements are
/// collated batches (one tensor per sample field, stacked along a new dimension 0).
///
/// With `shuffle`, every pass (every `makeIterator()`, so every `for` loop) draws a new
/// order from `generator`: a seeded generator makes the whole run of epochs reproducible.
///
/// ```swift
/// let loader = DataLoader(train, batchSize: 64, shuffle: true, generator: Generator(seed: 0))
/// for epoch in 0..<30 {
///     for batch in loader {
///         let (x, y) = (batch[0], batch[1])   // [64, 64] and [64]
///     }
/// }
/// ```
public struct DataLoader<D: Dataset>: Sequence {
    /// The samples.
    public let dataset: D
    /// Samples per batch.
    public let batchSize: Int
    /// Whether each pass visits the samples in a new random order.
    public let shuffle: Bool
    /// Whether a last batch smaller than `batchSize` is left out.
    public let dropLast: Bool
    /// Where shuffled orders come from.
    public let generator: Generator

    /// Batches of `dataset`. A `batchSize` below 1 is treated as 1.
    public init(_ dataset: D, batchSize: Int = 1, shuffle: Bool = false, dropLast: Bool = false,
                generator: Generator = .default) {
        self.dataset = dataset
        self.batchSize = Swift.max(batchSize, 1)
        self.shuffle = shuffle
        self.dropLast = dropLast
        self.generator = generator
    }

    /// The number of batches in one pass.
    public var count: Int {
        dropLast ? dataset.count / batchSize : (dataset.count + batchSize - 1) / batchSize
    }

    /// The number of batches in one pass.
    public var underestimatedCount: Int { count }

    /// A new pass over the data, in a new order when shuffling.
    public func makeIterator() -> Iterator {
        let order = shuffle ? generator.permutation(dataset.count) : Array(0..<dataset.count)
        return Iterator(dataset: dataset, order: order, batchSize: batchSize, batches: count)
    }

    /// One pass over the batches.
    public struct Iterator: IteratorProtocol {
        let dataset: D
        let order: [Int]
        let batchSize: Int
        let batches: Int
        var produced = 0

        /// The next batch, or nil after the last; a dataset or collation error is thrown.
        public mutating func nextBatch() throws -> [Tensor]? {
            guard produced < batches else { return nil }
            let start = produced * batchSize
            let indices = Array(order[start..<Swift.min(start + batchSize, order.count)])
            produced += 1
            return try dataset.batch(indices)
        }

        /// The next batch, or nil after the last. `Sequence` cannot throw, so a dataset
        /// or collation error stops the program with its message; iterate with
        /// ``nextBatch()`` to handle such errors instead.
        public mutating func next() -> [Tensor]? {
            do {
                return try nextBatch()
            } catch {
                fatalError("DataLoader: batch \(produced - 1) failed: \(error)")
            }
        }
    }
}
