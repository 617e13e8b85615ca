import SwiftTorchCore

/// A lookup table of `numEmbeddings` vectors of `embeddingDim` values, as PyTorch's
/// `nn.Embedding`: integer indices in, their rows out. `weight` starts standard normal,
/// with the `paddingIdx` row zeroed and kept out of gradients.
public final class Embedding: Module, UnaryLayer {
    /// The number of rows: indices run from 0 to `numEmbeddings - 1`.
    public let numEmbeddings: Int
    /// The length of each row.
    public let embeddingDim: Int
    /// The row that receives no gradient (wrapped to be non-negative), if any.
    public let paddingIdx: Int?
    /// The `[numEmbeddings, embeddingDim]` table.
    @Parameter public var weight: Tensor

    /// A table drawn standard normal from `generator`. Bad sizes or a `paddingIdx` out of
    /// range, or memory that cannot be had, are thrown by the first forward call.
    public init(_ numEmbeddings: Int, _ embeddingDim: Int, paddingIdx: Int? = nil, dtype: DType = .defaultFloat,
                device: Device? = nil, generator: Generator = .default) {
        self.numEmbeddings = numEmbeddings
        self.embeddingDim = embeddingDim
        let row = paddingIdx.map { $0 < 0 ? $0 + numEmbeddings : $0 }
        self.paddingIdx = row
        let made = LayerTensors("Embedding") { () throws -> Tensor in
            guard numEmbeddings > 0, embeddingDim >= 0 else {
                throw TorchError(.invalidArgument, "Embedding: num_embeddings (\(numEmbeddings)) must be positive and embedding_dim (\(embeddingDim)) non-negative")
            }
            if let p = paddingIdx, p < -numEmbeddings || p >= numEmbeddings {
                throw TorchError(.invalidArgument, "Embedding: padding_idx \(p) must be within num_embeddings (\(numEmbeddings))")
            }
            let table = try Tensor.randn([numEmbeddings, embeddingDim], dtype: dtype, generator: generator)
            if let row { try table.narrow(dim: 0, start: row, length: 1).zero_() }
            return try table.placed(on: device)
        }
        self.weight = made.value ?? .unbuiltPlaceholder(dtype)
        super.init()
        constructionError = made.error
    }

    /// `10, 3` and `padding_idx=0` when set, as PyTorch prints it.
    public override var extraRepr: String {
        "\(numEmbeddings), \(embeddingDim)" + (paddingIdx.map { ", padding_idx=\($0)" } ?? "")
    }

    /// The rows of the table that the integer `indices` pick, shape `indices.shape +
    /// [embeddingDim]`.
    public func callAsFunction(_ indices: Tensor) throws -> Tensor {
        try throwConstructionError()
        return try embedding(indices, weight: weight, paddingIdx: paddingIdx)
    }
}
