import SwiftTorchCore

// In-place operators write into `self`'s storage (PyTorch's trailing-underscore
// convention). The dispatcher bumps the storage's version after them, so autograd can
// refuse a backward pass through a tensor that changed after it was saved.

extension Op {
    /// Copies `src` (broadcast and converted) into `self`'s elements.
    public static let copy_ = declare(OperatorDefinition(
        "copy_(Tensor self, Tensor src) -> Tensor", group: .conversion,
        meta: { args in
            let t = args.tensor("self"), src = args.tensor("src")
            if GradMode.isEnabled, t.requiresGrad {
                throw TorchError(.autograd, "copy_: a tensor that requires grad (\(t.dtype)\(describe(shape: t.shape))) cannot be changed in place while gradients are recorded; do it inside withNoGrad { } (as optimizers do)")
            }
            guard (try? Meta.broadcastShape("copy_", [src.shape, t.shape])) == t.shape else {
                throw TorchError(.shapeMismatch, "copy_: source of shape \(describe(shape: src.shape)) does not broadcast to destination \(describe(shape: t.shape))")
            }
            if t.strides.contains(0), t.count > 1 {
                throw TorchError(.invalidArgument, "copy_: the destination \(describe(shape: t.shape)) is an expanded view (stride 0); several elements share one memory location")
            }
            args["src"] = .tensor(Meta.broadcastView(try Meta.cast(src, to: t.dtype), to: t.shape))
            return []
        }))

    static let inPlaceFamily = [copy_]
}

extension Tensor {
    /// Overwrites this tensor's elements with `source` (broadcast, converted), in place.
    @discardableResult
    public func copy_(_ source: Tensor) throws -> Tensor {
        _ = try Runtime.dispatcher().call(Op.copy_, [.tensor(self), .tensor(source)])
        return self
    }

    /// Sets every element to zero, in place.
    @discardableResult
    public func zero_() throws -> Tensor { try copy_(Tensor.zeros([], dtype: dtype, device: device)) }

    /// Adds `alpha * other` in place (computed out of place, then copied in).
    @discardableResult
    public func add_(_ other: Tensor, alpha: Double = 1) throws -> Tensor { try copy_(add(other, alpha: alpha)) }

    /// Multiplies by `other` in place.
    @discardableResult
    public func mul_(_ other: Tensor) throws -> Tensor { try copy_(mul(other)) }

    /// Multiplies by a number in place.
    @discardableResult
    public func mul_(_ factor: Double) throws -> Tensor { try copy_(self * factor) }

    /// `self` with `alpha * source` added at `index` along `dim`.
    public func indexAdd(dim: Int, index: Tensor, source: Tensor, alpha: Double = 1) throws -> Tensor {
        try dispatch(Op.indexAdd, [.tensor(self), .int(dim), .tensor(index), .tensor(source)], [("alpha", .double(alpha))])
    }

    /// `self` with `source` added at `index` along `dim`.
    public func scatterAdd(dim: Int, index: Tensor, source: Tensor) throws -> Tensor {
        try dispatch(Op.scatterAdd, [.tensor(self), .int(dim), .tensor(index), .tensor(source)])
    }
}
