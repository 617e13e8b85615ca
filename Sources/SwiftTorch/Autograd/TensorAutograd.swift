import SwiftTorchCore

extension Tensor {
    /// Computes the gradient of this tensor with respect to every leaf that requires grad and
    /// adds it to their `.grad`. A non-scalar output needs `gradient` (same shape).
    /// - Parameters:
    ///   - gradient: the gradient of the final result with respect to this tensor, PyTorch's
    ///     `gradient` argument; `nil` means 1, which only a one-element tensor allows.
    ///   - retainGraph: keep the saved tensors so that backward can run again.
    public func backward(gradient: Tensor? = nil, retainGraph: Bool = false) throws {
        try AutogradEngine.backward(self, gradient: gradient, retainGraph: retainGraph)
    }

    /// Marks this tensor as a leaf whose gradient is wanted (PyTorch's `requires_grad_()`)
    /// and returns it.
    @discardableResult
    public func requiringGrad(_ flag: Bool = true) throws -> Tensor {
        if flag, !dtype.isFloatingPoint {
            throw TorchError(.autograd, "requiresGrad: only floating-point tensors can require gradients, this one is \(dtype)\(describe(shape: shape))")
        }
        if !isLeaf, !flag {
            throw TorchError(.autograd, "requiresGrad: cannot turn off gradients of a non-leaf tensor; use detach()")
        }
        requiresGrad = flag
        return self
    }

    /// The same elements, cut from the graph: no history and no gradient.
    public func detach() -> Tensor { alias() }

    /// Sums a broadcast gradient back to `shape` (the inverse of broadcasting).
    public func sumTo(_ shape: [Int]) throws -> Tensor {
        if self.shape == shape { return self }
        let lead = rank - shape.count
        guard lead >= 0 else {
            throw TorchError(.shapeMismatch, "sumTo: cannot sum shape \(describe(shape: self.shape)) to the larger shape \(describe(shape: shape))")
        }
        var dims = Array(0..<lead)
        for (i, size) in shape.enumerated() where size == 1 && self.shape[lead + i] != 1 { dims.append(lead + i) }
        var result = dims.isEmpty ? self : try sum(dim: dims, keepdim: true)
        if lead > 0 { result = try result.reshape(shape) }
        guard result.shape == shape else {
            throw TorchError(.shapeMismatch, "sumTo: shape \(describe(shape: self.shape)) does not broadcast from \(describe(shape: shape))")
        }
        return result
    }
}

/// Runs `body` without recording operations for autograd, as `torch.no_grad()`.
@discardableResult
public func withNoGrad<R>(_ body: () throws -> R) rethrows -> R { try GradMode.withNoGrad(body) }

/// Async form of ``withNoGrad(_:)``.
@discardableResult
public func withNoGrad<R>(isolation: isolated (any Actor)? = #isolation, _ body: () async throws -> R) async rethrows -> R {
    try await GradMode.withNoGrad(isolation: isolation, body)
}

/// The gradients of `output` with respect to the leaves `inputs` (PyTorch's
/// `torch.autograd.grad`), leaving their `.grad` as it was. Inputs that `output` does not
/// depend on get zeros.
public func gradients(of output: Tensor, withRespectTo inputs: [Tensor], gradOutput: Tensor? = nil,
                      retainGraph: Bool = false) throws -> [Tensor] {
    for t in inputs where !t.isLeaf {
        throw TorchError(.autograd, "gradients(of:withRespectTo:): inputs must be leaf tensors; got one produced by \(t.gradFn!.name)")
    }
    let saved = inputs.map(\.grad)
    defer { for (t, g) in zip(inputs, saved) { t.grad = g } }
    for t in inputs { t.grad = nil }
    try output.backward(gradient: gradOutput, retainGraph: retainGraph)
    return try inputs.map { try $0.grad ?? Tensor.zeros(like: $0) }
}
