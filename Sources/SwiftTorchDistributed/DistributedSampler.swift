import SwiftTorch

/// Which samples of a dataset each rank visits in an epoch, as PyTorch's
/// `DistributedSampler`: every rank gets `numSamples` indices, disjoint from the others'
/// except for padding, and together they cover the dataset.
///
/// The rules are PyTorch's:
/// - Shuffled, the order is a permutation drawn from a generator seeded with
///   `seed + epoch`; every rank draws the same one, so call ``setEpoch(_:)`` with the same
///   epoch on every rank before each epoch, or every epoch repeats the first order.
///   The permutation is SwiftTorch's (``Generator/permutation(_:)``), not `torch.randperm`'s,
///   so the orders differ from PyTorch's for the same seed; the rules do not.
/// - `dropLast` false: the order is padded with its own first indices up to a multiple of
///   `numReplicas`, so some samples are seen twice. True: the tail that does not fill a
///   whole round is left out.
/// - Rank `r` takes positions `r, r + numReplicas, r + 2 * numReplicas, ...` of the order.
///
/// A ``DataLoader`` takes the rank's samples as a ``Subset`` (``subset(of:)``), unshuffled,
/// since the sampler has shuffled them: `DataLoader(try sampler.subset(of: train), batchSize: 32)`.
public struct DistributedSampler: Sendable {
    /// Samples in the dataset.
    public let datasetCount: Int
    /// Ranks sharing the dataset.
    public let numReplicas: Int
    /// This rank.
    public let rank: Int
    public let shuffle: Bool
    public let seed: UInt64
    public let dropLast: Bool
    /// The epoch whose order ``indices()`` gives.
    public private(set) var epoch = 0

    /// Samples per rank per epoch.
    public var numSamples: Int {
        dropLast && datasetCount % numReplicas != 0 ? datasetCount / numReplicas
            : (datasetCount + numReplicas - 1) / numReplicas
    }

    /// Samples per epoch over all ranks, padding included.
    public var totalSize: Int { numSamples * numReplicas }

    /// A sampler for a dataset of `count` samples shared by `numReplicas` ranks.
    public init(count: Int, numReplicas: Int, rank: Int, shuffle: Bool = true, seed: UInt64 = 0, dropLast: Bool = false) throws {
        guard numReplicas >= 1 else {
            throw TorchError(.invalidArgument, "DistributedSampler: numReplicas is \(numReplicas); it must be at least 1")
        }
        guard (0..<numReplicas).contains(rank) else {
            throw TorchError(.invalidArgument, "DistributedSampler: invalid rank \(rank), rank should be in the interval [0, \(numReplicas - 1)]")
        }
        guard count >= 0 else {
            throw TorchError(.invalidArgument, "DistributedSampler: the dataset has \(count) samples; a count cannot be negative")
        }
        datasetCount = count
        self.numReplicas = numReplicas
        self.rank = rank
        self.shuffle = shuffle
        self.seed = seed
        self.dropLast = dropLast
    }

    /// A sampler for `dataset` with the group's world size and rank.
    public init<D: Dataset>(_ dataset: D, processGroup: ProcessGroup, shuffle: Bool = true, seed: UInt64 = 0, dropLast: Bool = false) throws {
        try self.init(count: dataset.count, numReplicas: processGroup.worldSize, rank: processGroup.rank,
                      shuffle: shuffle, seed: seed, dropLast: dropLast)
    }

    /// Sets the epoch, so that shuffling gives each epoch its own order (PyTorch's `set_epoch`).
    public mutating func setEpoch(_ epoch: Int) { self.epoch = epoch }

    /// This rank's indices for the current epoch, `numSamples` of them.
    public func indices() -> [Int] {
        var order = shuffle ? Generator(seed: seed &+ UInt64(bitPattern: Int64(epoch))).permutation(datasetCount)
                            : Array(0..<datasetCount)
        if dropLast {
            order.removeLast(order.count - totalSize)
        } else if !order.isEmpty {
            // Padded with the order's own start, repeated whole when the padding is longer.
            let source = order
            while order.count < totalSize { order += source.prefix(totalSize - order.count) }
        }
        return Array(stride(from: rank, to: totalSize, by: numReplicas).map { order[$0] })
    }

    /// This rank's samples of `dataset` for the current epoch, in order.
    public func subset<D: Dataset>(of dataset: D) throws -> Subset<D> {
        guard dataset.count == datasetCount else {
            throw TorchError(.invalidArgument, "DistributedSampler.subset: the sampler was made for \(datasetCount) samples, the dataset has \(dataset.count)")
        }
        return try Subset(dataset, indices: indices())
    }
}
