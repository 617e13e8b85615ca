import SwiftTorchCore

// Operators with a list of outputs: split, split_with_sizes and chunk. Each piece is a
// view (a narrow) of the input, as in PyTorch, so they need no kernel on any backend and
// their gradients are narrow's.

enum Splitting {
    /// The dimension a split cuts, wrapped; a 0-d tensor has none.
    static func dimension(_ op: String, _ t: Tensor, _ dim: Int) throws -> Int {
        guard t.rank > 0 else {
            throw TorchError(.shapeMismatch, "\(op): expects at least a 1-dimensional tensor, got a 0-d \(t.dtype) tensor")
        }
        return try Meta.wrapDim(op, dim, rank: t.rank, shape: t.shape)
    }

    /// Consecutive narrow views of `t` along `dim` with `sizes` (which sum to its size).
    static func pieces(_ t: Tensor, dim: Int, sizes: [Int]) throws -> [Tensor] {
        var start = 0
        return try sizes.map { size in
            defer { start += size }
            return try dispatch(Op.narrow, [.tensor(t), .int(dim), .int(start), .int(size)])
        }
    }

    /// Sizes of pieces of `splitSize` along a dim of `length` (the last one shorter); an
    /// empty dim gives one empty piece, as in PyTorch.
    static func evenSizes(_ op: String, length: Int, splitSize: Int, shape: [Int]) throws -> [Int] {
        guard splitSize >= 0 else {
            throw TorchError(.invalidArgument, "\(op): split_size must be non-negative, got \(splitSize) for shape \(describe(shape: shape))")
        }
        if length == 0 { return [0] }
        guard splitSize > 0 else {
            throw TorchError(.invalidArgument, "\(op): split_size can only be 0 if the dimension's size is 0, but it is \(length) (shape \(describe(shape: shape)))")
        }
        // (length - 1) / size + 1 is the ceiling without the overflow of length + size - 1.
        let count = (length - 1) / splitSize + 1
        return (0..<count).map { i in i == count - 1 ? length - i * splitSize : splitSize }
    }

    /// The most empty pieces `chunk` makes of an empty dim: each is an object, so a huge
    /// request is refused rather than exhausting memory.
    static let maximumEmptyChunks = 1 << 20
}

extension Op {
    /// Pieces of `split_size` along `dim`; the last is shorter when the size does not divide.
    public static let split = declare(OperatorDefinition(
        "split(Tensor self, int split_size, int dim=0) -> Tensor[]", group: .shape,
        composite: { args in
            let t = args.tensor("self")
            let d = try Splitting.dimension("split", t, args.int("dim"))
            let sizes = try Splitting.evenSizes("split", length: t.shape[d], splitSize: args.int("split_size"), shape: t.shape)
            return try Splitting.pieces(t, dim: d, sizes: sizes)
        }))

    /// Pieces of the given sizes along `dim`; they must be non-negative and sum to its size.
    public static let splitWithSizes = declare(OperatorDefinition(
        "split_with_sizes(Tensor self, int[] split_sizes, int dim=0) -> Tensor[]", group: .shape,
        composite: { args in
            let t = args.tensor("self"), sizes = args.ints("split_sizes")
            let d = try Splitting.dimension("split_with_sizes", t, args.int("dim"))
            var total = 0
            for size in sizes {
                guard size >= 0 else {
                    throw TorchError(.invalidArgument, "split_with_sizes: split_sizes must be non-negative, got \(sizes) for shape \(describe(shape: t.shape))")
                }
                let (sum, overflow) = total.addingReportingOverflow(size)
                guard !overflow else {
                    throw TorchError(.invalidArgument, "split_with_sizes: split_sizes \(sizes) sum past Int.max")
                }
                total = sum
            }
            guard total == t.shape[d] else {
                throw TorchError(.shapeMismatch, "split_with_sizes: split_sizes \(sizes) must sum exactly to \(t.shape[d]), the size of dimension \(d) of shape \(describe(shape: t.shape)), but sum to \(total)")
            }
            return try Splitting.pieces(t, dim: d, sizes: sizes)
        }))

    /// At most `chunks` pieces of equal size along `dim` (ceil(size / chunks) each, the last
    /// smaller); fewer when the size runs out first, as in PyTorch.
    public static let chunk = declare(OperatorDefinition(
        "chunk(Tensor self, int chunks, int dim=0) -> Tensor[]", group: .shape,
        composite: { args in
            let t = args.tensor("self"), chunks = args.int("chunks")
            let d = try Splitting.dimension("chunk", t, args.int("dim"))
            guard chunks > 0 else {
                throw TorchError(.invalidArgument, "chunk: chunks must be greater than 0, got \(chunks) for shape \(describe(shape: t.shape))")
            }
            let length = t.shape[d]
            if length == 0 {
                // PyTorch returns `chunks` empty pieces here.
                guard chunks <= Splitting.maximumEmptyChunks else {
                    throw TorchError(.invalidArgument, "chunk: \(chunks) empty chunks of the empty dimension \(d) of shape \(describe(shape: t.shape)) is more than the \(Splitting.maximumEmptyChunks) SwiftTorch makes")
                }
                return try Splitting.pieces(t, dim: d, sizes: [Int](repeating: 0, count: chunks))
            }
            let size = (length - 1) / chunks + 1
            return try Splitting.pieces(t, dim: d, sizes: Splitting.evenSizes("chunk", length: length, splitSize: size, shape: t.shape))
        }))
}
