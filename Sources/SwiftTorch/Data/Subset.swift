import SwiftTorchCore

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
    public subscript(index: Int) -> Base.Sample {
        get throws {
            guard index >= 0, index < indices.count else {
                throw TorchError(.indexOutOfRange, "Subset: index \(index) is out of range for \(indices.count) samples")
            }
            return try base[indices[index]]
        }
    }

    /// The samples at `indices`, gathered by the base dataset.
    public func batch(_ indices: [Int]) throws -> Base.Sample {
        if let bad = indices.first(where: { $0 < 0 || $0 >= self.indices.count }) {
            throw TorchError(.indexOutOfRange, "Subset: index \(bad) is out of range for \(self.indices.count) samples")
        }
        return try base.batch(indices.map { self.indices[$0] })
    }
}
