import SwiftTorchCore

/// A collection of samples that a ``DataLoader`` batches, as PyTorch's map-style
/// `torch.utils.data.Dataset`. A sample is an array of tensors (features, label, ...), so a
/// batch is the same array with every field stacked along a new first dimension.
public protocol Dataset {
    /// The number of samples.
    var count: Int { get }
    /// Sample `index` (0 ..< count): one tensor per field.
    subscript(index: Int) -> [Tensor] { get throws }
    /// The samples at `indices`, collated: field `k` of the result holds field `k` of every
    /// sample, stacked along a new dimension 0. The default stacks ``subscript(_:)``'s
    /// samples; a dataset that can gather a batch at once (``TensorDataset``) overrides it.
    func batch(_ indices: [Int]) throws -> [Tensor]
}

extension Dataset {
    /// Fetches each sample and collates them with ``collate(_:)``.
    public func batch(_ indices: [Int]) throws -> [Tensor] {
        try collate(indices.map { try self[$0] })
    }
}

/// Stacks samples field by field along a new dimension 0, as PyTorch's `default_collate`:
/// samples of `k` tensors give a batch of `k` tensors. Every sample must have the same number
/// of fields, and a field the same shape in every sample.
public func collate(_ samples: [[Tensor]]) throws -> [Tensor] {
    guard let first = samples.first else {
        throw TorchError(.invalidArgument, "collate: a batch needs at least one sample")
    }
    if let odd = samples.firstIndex(where: { $0.count != first.count }) {
        throw TorchError(.shapeMismatch, "collate: sample 0 has \(first.count) fields but sample \(odd) has \(samples[odd].count)")
    }
    return try (0..<first.count).map { field in try stack(samples.map { $0[field] }, dim: 0) }
}

/// The samples of `base` at `indices`, in that order, as PyTorch's `Subset`. ``randomSplit(_:lengths:generator:)``
/// returns these; a batch is gathered by the base dataset, so a subset of a ``TensorDataset``
/// keeps its fast path.
public struct Subset<Base: Dataset>: Dataset {
    /// The dataset the samples come from.
    public let base: Base
    /// Positions in `base`, one per sample of the subset.
    public let indices: [Int]

    /// The samples of `base` at `indices` (each must be in 0 ..< base.count).
    public init(_ base: Base, indices: [Int]) throws {
        if let bad = indices.first(where: { $0 < 0 || $0 >= base.count }) {
            throw TorchError(.indexOutOfRange, "Subset: index \(bad) is out of range for a dataset of \(base.count) samples")
        }
        self.base = base
        self.indices = indices
    }

    /// The number of samples.
    public var count: Int { indices.count }

    /// Sample `index` of the subset, that is sample `indices[index]` of the base.
    public subscript(index: Int) -> [Tensor] {
        get throws {
            guard index >= 0, index < indices.count else {
                throw TorchError(.indexOutOfRange, "Subset: index \(index) is out of range for \(indices.count) samples")
            }
            return try base[indices[index]]
        }
    }

    /// The samples at `indices`, gathered by the base dataset.
    public func batch(_ indices: [Int]) throws -> [Tensor] {
        if let bad = indices.first(where: { $0 < 0 || $0 >= self.indices.count }) {
            throw TorchError(.indexOutOfRange, "Subset: index \(bad) is out of range for \(self.indices.count) samples")
        }
        return try base.batch(indices.map { self.indices[$0] })
    }
}
