import SwiftTorchCore

/// Scales the gradients of `parameters` in place so that their total norm is at most
/// `maxNorm`, as PyTorch's `torch.nn.utils.clip_grad_norm_`, and returns the total norm
/// before clipping (a 0-d tensor; `.item()` gives the number).
///
/// The total norm is the `normType`-norm of the gradients' own norms, as if they were one
/// vector (`.infinity` for the largest magnitude). Each gradient is multiplied by
/// `min(1, maxNorm / (total + 1e-6))`, PyTorch's coefficient. Parameters without a gradient
/// are skipped; with none at all the result is 0. A non-finite total norm scales the
/// gradients by NaN or 0 as in PyTorch, unless `errorIfNonfinite`, which throws instead.
///
/// <!-- snippet: clip-grad-norm -->
/// ```swift
/// try loss.backward()
/// let norm = try clipGradNorm(model.parameters(), maxNorm: 1.0)
/// try optimizer.step()
/// ```
@discardableResult
public func clipGradNorm(_ parameters: [Tensor], maxNorm: Double, normType: Double = 2,
                         errorIfNonfinite: Bool = false) throws -> Tensor {
    guard !normType.isNaN else { throw TorchError(.invalidArgument, "clipGradNorm: norm_type must be a number, got nan") }
    let grads = parameters.compactMap(\.grad)
    guard let first = grads.first else { return try Tensor(0.0) }
    return try withNoGrad {
        // Each gradient's norm in its own dtype, gathered where the first one lives, as PyTorch does.
        let norms = try grads.map { try vectorNorm($0, normType).to(first.dtype).to(first.device) }
        let total = try vectorNorm(stack(norms), normType)
        if errorIfNonfinite, !(try total.item()).isFinite {
            throw TorchError(.invalidArgument, "clipGradNorm: The total norm of order \(normType) for gradients from `parameters` is non-finite, so it cannot be clipped. To disable this error and scale the gradients by the non-finite norm anyway, set errorIfNonfinite: false")
        }
        // `max_norm / (total + 1e-6)` in PyTorch is `reciprocal() * max_norm`; the same steps give the same rounding.
        let coefficient = try ((total + 1e-6).reciprocal() * maxNorm).clamp(max: 1)
        for g in grads { _ = try g.mul_(coefficient.to(g.device)) }
        return total
    }
}

/// Clamps every gradient of `parameters` to `[-clipValue, clipValue]` in place, as PyTorch's
/// `torch.nn.utils.clip_grad_value_`; parameters without a gradient are skipped.
/// `clipValue` must not be negative or NaN (PyTorch would clamp everything to it).
public func clipGradValue(_ parameters: [Tensor], clipValue: Double) throws {
    guard clipValue >= 0 else {
        throw TorchError(.invalidArgument, "clipGradValue: clip_value must be a non-negative number, got \(clipValue)")
    }
    try withNoGrad {
        for g in parameters.compactMap(\.grad) { _ = try g.clamp_(min: -clipValue, max: clipValue) }
    }
}

/// The `p`-norm of all of `t`'s elements as one vector (PyTorch's `linalg.vector_norm`):
/// the largest or smallest magnitude for ±infinity, the count of non-zeros for 0.
func vectorNorm(_ t: Tensor, _ p: Double) throws -> Tensor {
    switch p {
    case .infinity: try t.abs().max()
    case -.infinity: try t.abs().min()
    case 0: try t.ne(0.0).sum().to(t.dtype)
    case 1: try t.abs().sum()
    case 2: try t.square().sum().sqrt()
    default: try t.abs().pow(p).sum().pow(1 / p)
    }
}
