import SwiftTorchCore

/// Batches of a ``Dataset``, as PyTorch's `DataLoader`: an `AsyncSequence` whose elements are
/// batches of the dataset's ``Dataset/Sample`` type, every field stacked along a new
/// dimension 0. A dataset of (input, label) pairs gives pairs, which the loop unpacks:
///
/// <!-- snippet: data-loader -->
/// ```swift
/// let loader = DataLoader(train, batchSize: 64, shuffle: true, generator: Generator(seed: 0))
/// for _ in 1...3 {
///     for try await (images, labels) in loader {   // [64, 64] and [64]
///         optimizer.zeroGrad()
///         try lossFunction(model(images), labels).backward()
///         try optimizer.step()
///     }
/// }
/// ```
///
/// A sample that throws (a corrupt file, a failed transform) ends the loop with that error,
/// unchanged, where the loop can catch it. Swift's plain `for ... in` cannot throw, which is
/// why the loader is an `AsyncSequence`; it never suspends, so a batch costs what a
/// synchronous call costs. Synchronous code (which cannot `await`) takes a pass's iterator
/// and calls its `next()`, which throws the same errors: `var batches =
/// loader.makeAsyncIterator(); while let (x, y) = try batches.next() { ... }`.
///
/// - `shuffle`: every pass (every `for` loop) draws a new order from `generator`; a seeded
///   generator makes the whole run of epochs reproducible. A pass that does not shuffle
///   draws one number from it instead (as PyTorch draws each pass's worker seed), so that
///   random transforms differ from pass to pass.
/// - `numWorkers`: that many threads prepare the next batches while the loop works on this
///   one (at most two batches ahead per worker, PyTorch's `prefetch_factor`). The batches and
///   their order are the same for every worker count: the order is fixed when the pass
///   begins, and random transforms draw from a stream of their batch's own
///   (``Generator/augmentation``). A worker's error reaches the loop at its batch's turn; a
///   loop that ends early stops the workers.
/// - `collate`: builds a batch from its samples in place of the dataset's
///   ``Dataset/batch(_:)`` (PyTorch's `collate_fn`), for instance to pad samples of
///   different lengths.
public struct DataLoader<D: Dataset>: AsyncSequence {
    /// A batch.
    public typealias Element = D.Sample
    /// A sample's or a worker's error ends the pass.
    public typealias Failure = any Error
    /// A function that makes one batch of its samples.
    public typealias Collate = @Sendable ([D.Sample]) throws -> D.Sample

    /// The samples.
    public let dataset: D
    /// Samples per batch.
    public let batchSize: Int
    /// Whether each pass visits the samples in a new random order.
    public let shuffle: Bool
    /// Threads that prepare batches ahead of the loop; 0 prepares each in the loop's `next()`.
    public let numWorkers: Int
    /// How a batch is made of its samples; nil uses the dataset's ``Dataset/batch(_:)``.
    public let collate: Collate?
    /// Whether a last batch smaller than `batchSize` is left out.
    public let dropLast: Bool
    /// Where shuffled orders and each pass's augmentation seed come from.
    public let generator: Generator

    /// Batches of `dataset`. A `batchSize` below 1 is treated as 1; a negative `numWorkers`
    /// is an error thrown at the loop.
    public init(_ dataset: D, batchSize: Int = 1, shuffle: Bool = false, numWorkers: Int = 0,
                collate: Collate? = nil, dropLast: Bool = false, generator: Generator = .default) {
        self.dataset = dataset
        self.batchSize = Swift.max(batchSize, 1)
        self.shuffle = shuffle
        self.numWorkers = numWorkers
        self.collate = collate
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

    /// A new pass over the data, in a new order when shuffling, with its workers started.
    public func makeAsyncIterator() -> Iterator {
        let samples = dataset.count
        guard samples >= 0 else {
            return Iterator(failing: TorchError(.invalidArgument, "DataLoader: the dataset reports \(samples) samples; a count cannot be negative"))
        }
        guard numWorkers >= 0 else {
            return Iterator(failing: TorchError(.invalidArgument, "DataLoader: numWorkers is \(numWorkers); it must be 0 (batches made in the loop) or more"))
        }
        // The augmentation seed stands for the generator's state before this pass. A shuffle
        // then moves the generator on; a pass in order draws once, so the next pass's seed
        // differs. (Taken without a draw when shuffling, so shuffled orders stay those of a
        // plain Fisher–Yates sequence, as Benchmarks/pytorch_training.py reproduces them.)
        let augmentationSeed = generator.stateSeed
        // In order, a batch's indices are computed, not looked up, so no index array is built.
        let order = shuffle ? generator.permutation(samples) : nil
        if !shuffle { _ = generator.next(1) }
        let plan = BatchPlan(dataset: dataset, order: order, samples: samples, batchSize: batchSize,
                             collate: collate, augmentationSeed: augmentationSeed)
        let batches = batchCount(samples: samples)
        let workers = Swift.min(numWorkers, batches)
        guard workers > 0 else { return Iterator(plan: plan, batches: batches, prefetcher: nil) }
        return Iterator(plan: plan, batches: batches,
                        prefetcher: BatchPrefetcher(workers: workers, batchCount: batches, aheadLimit: 2 * workers, make: plan.batchInCallersContext()))
    }

    /// One pass over the batches. Its `next()` is synchronous (it never suspends), so
    /// synchronous code can call it directly.
    public struct Iterator: AsyncIteratorProtocol {
        /// A batch.
        public typealias Element = D.Sample
        /// A sample's or a worker's error ends the pass.
        public typealias Failure = any Error

        let plan: BatchPlan<D>?
        var batches: Int
        /// The workers preparing this pass's batches, if any; released (and so stopped) when
        /// the pass ends, by its last batch, an error or the loop leaving early.
        var prefetcher: BatchPrefetcher<D.Sample>.Owner?
        /// Why the pass cannot start; thrown by the first `next()`.
        var problem: TorchError?
        var produced = 0

        init(plan: BatchPlan<D>, batches: Int, prefetcher: BatchPrefetcher<D.Sample>?) {
            self.plan = plan
            self.batches = batches
            self.prefetcher = prefetcher.map(BatchPrefetcher.Owner.init)
        }

        init(failing problem: TorchError) {
            plan = nil
            batches = 0
            self.problem = problem
        }

        /// The next batch, or nil after the last. A dataset or collation error is thrown as
        /// it was raised, and ends the pass: later calls return nil.
        public mutating func next() throws -> D.Sample? {
            if let problem {
                self.problem = nil
                throw problem
            }
            guard let plan, produced < batches else {
                prefetcher = nil
                return nil
            }
            let k = produced
            produced += 1
            do {
                if let prefetcher { return try prefetcher.prefetcher.take(k).get() }
                return try plan.batch(k)
            } catch {
                batches = produced
                prefetcher = nil
                throw error
            }
        }
    }
}

/// What a pass needs to make its batch `k`, on the loop's thread or a worker's.
struct BatchPlan<D: Dataset> {
    let dataset: D
    /// The shuffled order, or nil for samples in order.
    let order: [Int]?
    /// The dataset's count when the pass began: the pass covers exactly these samples.
    let samples: Int
    let batchSize: Int
    let collate: DataLoader<D>.Collate?
    let augmentationSeed: UInt64

    /// Batch `k` of the pass, made with random transforms drawing from the batch's own
    /// generator, seeded from the pass's seed and `k`.
    func batch(_ k: Int) throws -> D.Sample {
        let start = k * batchSize
        let end = start + Swift.min(batchSize, samples - start)
        let indices = order.map { Array($0[start..<end]) } ?? Array(start..<end)
        let generator = Generator(seed: augmentationSeed &+ UInt64(k) &* 0x9E37_79B9_7F4A_7C15)
        return try Generator.$batchAugmentation.withValue(generator) {
            if let collate { return try collate(indices.map { try dataset[$0] }) }
            return try dataset.batch(indices)
        }
    }

    /// ``batch(_:)`` for a worker thread, under the settings of the code that started the
    /// pass: its dispatch overrides (backends, fallback) and its gradient mode, which a
    /// thread would not inherit.
    func batchInCallersContext() -> (Int) throws -> D.Sample {
        let scope = DispatchScope.current, recording = GradMode.isEnabled
        return { k in
            try DispatchScope.with(scope) {
                try GradMode.withGradEnabled(recording) { try batch(k) }
            }
        }
    }
}
