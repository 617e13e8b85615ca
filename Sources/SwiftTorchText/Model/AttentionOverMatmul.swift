import SwiftTorch

/// `softmax(q kᵀ · scale + mask) v` over the library's matmul and softmax, per batch and
/// head (`[N, heads, L, d]` in, the same out).
///
/// Stands in until the library's fused `scaledDotProductAttention` lands (issue 13); then
/// this file goes and ``BertSelfAttention`` calls that instead.
func attention(query: Tensor, key: Tensor, value: Tensor, additiveMask: Tensor?, dropoutP: Double,
               scale: Double) throws -> Tensor {
    var scores = try query.matmul(key.transpose(-2, -1)) * scale
    if let additiveMask { scores = try scores + additiveMask }
    var probabilities = try scores.softmax(dim: -1)
    if dropoutP > 0 { probabilities = try dropout(probabilities, p: dropoutP, training: true) }
    return try probabilities.matmul(value)
}
