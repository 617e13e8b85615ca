import SwiftTorchCore

/// Samples that are rows of tensors sharing their first dimension, as PyTorch's
/// `TensorDataset`: sample `i` is `[t0[i], t1[i], ...]`.
///
/// ```swift
/// let data = try TensorDataset(features, labels)   // [N, 64] and [N]
/// let (x, y) = try (data[0][0], data[0][1])        // [64] and []
/// ```
public struct TensorDataset: Dataset {
    /// The tensors, each with `count` entries along dimension 0.
    public let tensors: [Tensor]

    /// A dataset over `tensors`, which must have at least one dimension and agree in its size.
    public init(_ tensors: [Tensor]) throws {
        guard let first = tensors.first else {
            throw TorchError(.invalidArgument, "TensorDataset: needs at least one tensor")
        }
        for (i, t) in tensors.enumerated() {
            guard t.rank >= 1 else {
                throw TorchError(.shapeMismatch, "TensorDataset: tensor \(i) is 0-d; every tensor needs a first dimension to index")
            }
            guard t.shape[0] == first.shape[0] else {
                throw TorchError(.shapeMismatch, "TensorDataset: tensor \(i) has \(t.shape[0]) entries along dimension 0 (shape \(describe(shape: t.shape))) but tensor 0 has \(first.shape[0])")
            }
        }
        self.tensors = tensors
    }

    /// A dataset over `tensors`, which must have at least one dimension and agree in its size.
    public init(_ tensors: Tensor...) throws { try self.init(tensors) }

    /// The number of samples: the common size of dimension 0.
    public var count: Int { tensors[0].shape[0] }

    /// Row `index` of every tensor (negative indices count from the end, as in PyTorch).
    public subscript(index: Int) -> [Tensor] {
        get throws { try tensors.map { try $0[index] } }
    }

    /// The rows at `indices` of every tensor, gathered with one `indexSelect` per tensor
    /// instead of stacking one sample at a time.
    public func batch(_ indices: [Int]) throws -> [Tensor] {
        let index = try Tensor(indices, shape: [indices.count], dtype: .int64)
        return try tensors.map { try $0.indexSelect(dim: 0, index: index.to($0.device)) }
    }
}
