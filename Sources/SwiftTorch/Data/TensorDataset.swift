import SwiftTorchCore

/// Samples that are rows of tensors sharing their first dimension, as PyTorch's
/// `TensorDataset`: sample `i` holds row `i` of every tensor.
///
/// Built from two tensors (inputs and labels), a sample and a batch are the pair
/// `(Tensor, Tensor)`, which a loop unpacks as PyTorch's does; built from one tensor, or from
/// an array of any number, they are `[Tensor]`.
///
/// <!-- snippet: data-tensor-dataset -->
/// ```swift
/// let data = try TensorDataset(features, labels)   // [N, 64] and [N]
/// let (x, y) = try data[0]                         // [64] and []
/// for try await (inputs, targets) in DataLoader(data, batchSize: 32) {
///     print(inputs.shape, targets.shape)           // [32, 64] [32], ...
/// }
/// ```
public struct TensorDataset<Sample>: Dataset {
    /// The tensors, each with `count` entries along dimension 0.
    public let tensors: [Tensor]
    /// Rows of `tensors`, one per tensor, as a sample.
    private let fields: @Sendable ([Tensor]) -> Sample

    private init(checking tensors: [Tensor], fields: @escaping @Sendable ([Tensor]) -> Sample) throws {
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
        self.fields = fields
    }

    /// The number of samples: the common size of dimension 0.
    public var count: Int { tensors[0].shape[0] }

    /// Row `index` of every tensor (negative indices count from the end, as in PyTorch).
    public subscript(index: Int) -> Sample {
        get throws { fields(try tensors.map { try $0[index] }) }
    }

    /// The rows at `indices` of every tensor, gathered with one `indexSelect` per tensor
    /// instead of stacking one sample at a time.
    public func batch(_ indices: [Int]) throws -> Sample {
        let index = try Tensor(indices, shape: [indices.count], dtype: .int64)
        return fields(try tensors.map { try $0.indexSelect(dim: 0, index: index.to($0.device)) })
    }
}

extension TensorDataset where Sample == (Tensor, Tensor) {
    /// Pairs of rows of `inputs` and `targets`, which must have at least one dimension and
    /// agree in its size.
    public init(_ inputs: Tensor, _ targets: Tensor) throws {
        try self.init(checking: [inputs, targets]) { ($0[0], $0[1]) }
    }
}

extension TensorDataset where Sample == [Tensor] {
    /// A dataset over `tensors`, which must have at least one dimension and agree in its size.
    public init(_ tensors: [Tensor]) throws {
        try self.init(checking: tensors) { $0 }
    }

    /// A dataset of the rows of one tensor: each sample is `[row]`.
    public init(_ tensor: Tensor) throws {
        try self.init([tensor])
    }

    /// A dataset over three or more tensors, which must have at least one dimension and
    /// agree in its size. (Two tensors make pairs: ``init(_:_:)``.)
    public init(_ first: Tensor, _ second: Tensor, _ third: Tensor, _ rest: Tensor...) throws {
        try self.init([first, second, third] + rest)
    }
}
