import SwiftTorch

/// Token ids of several texts padded to one length, as a model takes them.
public struct TokenBatch {
    /// `[N, L]` int64 ids, each row padded to the longest with the padding id.
    public let inputIDs: Tensor
    /// `[N, L]` int64: 1 for a real token, 0 for padding.
    public let attentionMask: Tensor
    /// The unpadded length of each row.
    public let lengths: [Int]

    /// Pads `sequences` to the longest of them. Throws for an empty list or an empty sequence
    /// (every encoded text has at least `[CLS]` and `[SEP]`).
    public init(_ sequences: [[Int]], paddingID: Int) throws {
        guard let width = sequences.map(\.count).max() else {
            throw TorchError(.invalidArgument, "TokenBatch: no sequences to pad")
        }
        if let emptyRow = sequences.firstIndex(where: \.isEmpty) {
            throw TorchError(.invalidArgument, "TokenBatch: sequence \(emptyRow) of \(sequences.count) is empty; a model needs at least one token per row")
        }
        var ids: [Int] = []
        var mask: [Int] = []
        ids.reserveCapacity(sequences.count * width)
        mask.reserveCapacity(sequences.count * width)
        for sequence in sequences {
            let padding = width - sequence.count
            ids += sequence
            ids += repeatElement(paddingID, count: padding)
            mask += repeatElement(1, count: sequence.count)
            mask += repeatElement(0, count: padding)
        }
        inputIDs = try Tensor(ids, shape: [sequences.count, width])
        attentionMask = try Tensor(mask, shape: [sequences.count, width])
        lengths = sequences.map(\.count)
    }
}
