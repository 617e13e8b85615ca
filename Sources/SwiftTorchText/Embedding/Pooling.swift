import SwiftTorch

/// The mean of each row's token vectors over its real tokens: `[N, L, H]` and a `[N, L]`
/// 1/0 mask to `[N, H]`, as sentence-transformers' mean pooling (the count clamped at 1e-9,
/// so an all-padding row gives zeros, not NaN).
public func meanPooling(_ tokens: Tensor, attentionMask: Tensor) throws -> Tensor {
    guard tokens.shape.count == 3, attentionMask.shape == Array(tokens.shape.prefix(2)) else {
        throw TorchError(.shapeMismatch, "meanPooling: token vectors must be [N, L, H] and the mask [N, L], got \(tokens.shape) and \(attentionMask.shape)")
    }
    let mask = try attentionMask.to(tokens.dtype).unsqueeze(-1)
    return try (tokens * mask).sum(dim: 1) / mask.sum(dim: 1).clamp(min: 1e-9)
}

/// Each row divided by its Euclidean norm (at least `eps`), as PyTorch's
/// `F.normalize(x, p=2, dim=-1)`: unit rows, so a dot product is a cosine similarity.
public func l2Normalized(_ x: Tensor, eps: Double = 1e-12) throws -> Tensor {
    try x / (x * x).sum(dim: -1, keepdim: true).sqrt().clamp(min: eps)
}
