import SwiftTorchCore

/// A collection of samples that a ``DataLoader`` batches, as PyTorch's map-style
/// `torch.utils.data.Dataset`.
///
/// A sample is a ``Sample``: `(Tensor, Tensor)` for inputs and labels (what
/// ``TensorDataset`` built from two tensors, ``MNIST`` and ``CIFAR10`` give), `[Tensor]` for
/// any other number of fields, or a single `Tensor`. A batch has the same type, every tensor
/// stacked along a new first dimension, so a loop unpacks it as PyTorch's does:
/// `for try await (images, labels) in loader`.
///
/// A dataset writes ``count`` and ``subscript(_:)``; ``batch(_:)`` comes for free for those
/// three sample types (it stacks the samples) and may be written to gather a batch at once.
/// With a ``DataLoader``'s `numWorkers`, `subscript` and `batch` run on worker threads, several
/// at a time: they must only read the dataset's state.
public protocol Dataset {
    /// One sample's fields, and a batch's: the same type, stacked.
    associatedtype Sample = [Tensor]
    /// The number of samples.
    var count: Int { get }
    /// Sample `index` (0 ..< count).
    subscript(index: Int) -> Sample { get throws }
    /// The samples at `indices`, collated: each field holds that field of every sample,
    /// stacked along a new dimension 0.
    func batch(_ indices: [Int]) throws -> Sample
}

extension Dataset where Sample == [Tensor] {
    /// Fetches each sample and stacks them field by field with `collate(_:)`.
    public func batch(_ indices: [Int]) throws -> [Tensor] {
        try collate(indices.map { try self[$0] })
    }
}

extension Dataset where Sample == (Tensor, Tensor) {
    /// Fetches each sample and stacks the inputs and the labels with `collate(_:)`.
    public func batch(_ indices: [Int]) throws -> (Tensor, Tensor) {
        try collate(indices.map { try self[$0] })
    }
}

extension Dataset where Sample == Tensor {
    /// Fetches each sample and stacks them.
    public func batch(_ indices: [Int]) throws -> Tensor {
        try collate(indices.map { try self[$0] })
    }
}

/// Stacks samples field by field along a new dimension 0, as PyTorch's `default_collate`:
/// samples of `k` tensors give a batch of `k` tensors. Every sample must have the same number
/// of fields, and a field the same shape in every sample.
public func collate(_ samples: [[Tensor]]) throws -> [Tensor] {
    guard let first = samples.first else { throw emptyBatch() }
    if let odd = samples.firstIndex(where: { $0.count != first.count }) {
        throw TorchError(.shapeMismatch, "collate: sample 0 has \(first.count) fields but sample \(odd) has \(samples[odd].count)")
    }
    return try (0..<first.count).map { field in try stack(samples.map { $0[field] }, dim: 0) }
}

/// Stacks (input, label) samples into one batch of inputs and one of labels, as PyTorch's
/// `default_collate` does with tuples.
public func collate(_ samples: [(Tensor, Tensor)]) throws -> (Tensor, Tensor) {
    guard !samples.isEmpty else { throw emptyBatch() }
    return (try stack(samples.map(\.0), dim: 0), try stack(samples.map(\.1), dim: 0))
}

/// Stacks single-tensor samples along a new dimension 0.
public func collate(_ samples: [Tensor]) throws -> Tensor {
    guard !samples.isEmpty else { throw emptyBatch() }
    return try stack(samples, dim: 0)
}

private func emptyBatch() -> TorchError {
    TorchError(.invalidArgument, "collate: a batch needs at least one sample")
}
