import SwiftTorchCore

/// Batches of a ``Dataset``, as PyTorch's `DataLoader`: an `AsyncSequence` whose elements
/// are collated batches (one tensor per sample field, stacked along a new dimension 0).
///
/// Loop over it with `for try await`: a sample that throws (a corrupt file, a failed
/// transform) ends the loop with that error, unchanged, where the loop can catch it. Swift's
/// plain `for ... in` cannot throw, which is why the loader is an `AsyncSequence`; it never
/// suspends, so a batch costs what a synchronous call costs.
///
/// With `shuffle`, every pass (every `for` loop) draws a new order from `generator`: a seeded
/// generator makes the whole run of epochs reproducible.
///
/// ```swift
/// let loader = DataLoader(train, batchSize: 64, shuffle: true, generator: Generator(seed: 0))
/// for epoch in 0..<30 {
///     for try await batch in loader {
///         let (x, y) = (batch[0], batch[1])   // [64, 64] and [64]
///     }
/// }
/// ```
///
/// Synchronous code (which cannot `await`) takes a pass's iterator and calls its `next()`,
/// which throws the same errors: `var batches = loader.makeAsyncIterator(); while let batch
/// = try batches.next() { ... }`.
public struct DataLoader<D: Dataset>: AsyncSequence {
    public typealias Element = [Tensor]
    public typealias Failure = any Error

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

    /// The number of batches in one pass (PyTorch's `len(loader)`).
    public var count: Int { batchCount(samples: Swift.max(dataset.count, 0)) }

    private func batchCount(samples: Int) -> Int {
        // Divided before rounding up, so a batch size near Int.max cannot overflow.
        let (whole, rest) = samples.quotientAndRemainder(dividingBy: batchSize)
        return dropLast || rest == 0 ? whole : whole + 1
    }

    /// A new pass over the data, in a new order when shuffling.
    public func makeAsyncIterator() -> Iterator {
        let samples = dataset.count
        guard samples >= 0 else {
            return Iterator(dataset: dataset, order: nil, samples: 0, batchSize: batchSize, batches: 0,
                            problem: TorchError(.invalidArgument, "DataLoader: the dataset reports \(samples) samples; a count cannot be negative"))
        }
        // In order, a batch's indices are computed, not looked up, so no index array is built.
        let order = shuffle ? generator.permutation(samples) : nil
        return Iterator(dataset: dataset, order: order, samples: samples, batchSize: batchSize, batches: batchCount(samples: samples), problem: nil)
    }

    /// One pass over the batches. Its `next()` is synchronous (it never suspends), so
    /// synchronous code can call it directly.
    public struct Iterator: AsyncIteratorProtocol {
        public typealias Element = [Tensor]
        public typealias Failure = any Error

        let dataset: D
        /// The shuffled order, or nil for samples in order.
        let order: [Int]?
        /// The dataset's count when the pass began: the pass covers exactly these samples.
        let samples: Int
        let batchSize: Int
        var batches: Int
        /// Why the pass cannot start; thrown by the first `next()`.
        var problem: TorchError?
        var produced = 0

        /// The next batch, or nil after the last. A dataset or collation error is thrown as
        /// it was raised, and ends the pass: later calls return nil.
        public mutating func next() throws -> [Tensor]? {
            if let problem {
                self.problem = nil
                throw problem
            }
            guard produced < batches else { return nil }
            let start = produced * batchSize
            let end = start + Swift.min(batchSize, samples - start)
            let indices = order.map { Array($0[start..<end]) } ?? Array(start..<end)
            produced += 1
            do {
                return try dataset.batch(indices)
            } catch {
                batches = produced
                throw error
            }
        }
    }
}
