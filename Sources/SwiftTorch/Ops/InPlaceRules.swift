import SwiftTorchCore

// The rules every operator that writes `self` follows (PyTorch's in-place checks), applied
// in meta so that every backend's kernel can write `self` directly: operands broadcast to
// `self`'s shape, never the reverse; the promoted result must be castable to `self`'s dtype;
// `self` must not be expanded; an operand may alias `self` only element for element.

enum InPlace {
    /// Refuses to write a tensor that autograd may still need, or one whose elements share
    /// memory (an expanded view: writing one element would write several).
    static func checkWritable(_ op: String, _ t: Tensor) throws {
        if GradMode.isEnabled, t.requiresGrad {
            throw TorchError(.autograd, "\(op): a tensor that requires grad (\(t.dtype)\(describe(shape: t.shape))) cannot be changed in place while gradients are recorded; do it inside withNoGrad { } (as optimizers do)")
        }
        if zip(t.shape, t.strides).contains(where: { $0 > 1 && $1 == 0 }) {
            throw TorchError(.invalidArgument, "\(op): the destination \(describe(shape: t.shape)) is an expanded view (stride 0); several elements share one memory location; clone() it first")
        }
    }

    /// PyTorch's `canCast`: no float into an integer or bool, no number into bool.
    static func canCast(_ from: DType, to: DType) -> Bool {
        if from.isFloatingPoint, !to.isFloatingPoint { return false }
        if from != .bool, to == .bool { return false }
        return true
    }

    /// Prepares `self` and the tensor `operands` of an in-place elementwise operator: the
    /// checks above, then each operand cast to `self`'s dtype and broadcast (stride 0) to
    /// its shape. `compute` maps the promoted dtype to the one the out-of-place operator
    /// would compute in (or throws), so in-place and out-of-place refuse the same calls.
    /// Kernels then compute in `self`'s dtype: for float32 `self` with a float64 operand,
    /// the operand is rounded to float32 first (PyTorch computes in float64 there).
    static func elementwise(_ op: String, _ args: inout Arguments, _ operands: [String],
                            compute: (DType) throws -> DType = { $0 }) throws -> OutputSpecs {
        let t = args.tensor("self")
        try checkWritable(op, t)
        let tensors = operands.map { args.tensor($0) }
        let shape = try Meta.broadcastShape(op, [t.shape] + tensors.map(\.shape))
        guard shape == t.shape else {
            throw TorchError(.shapeMismatch, "\(op): output with shape \(describe(shape: t.shape)) doesn't match the broadcast shape \(describe(shape: shape)) (in place, operands broadcast to self, not self to them)")
        }
        let result = try compute(Meta.resultType([t] + tensors))
        guard canCast(result, to: t.dtype) else {
            throw TorchError(.dtypeMismatch, "\(op): result type \(result) can't be cast to the desired output type \(t.dtype)")
        }
        for (name, operand) in zip(operands, tensors) {
            try checkOverlap(op, t, operand, name)
            args[name] = .tensor(Meta.broadcastView(try Meta.cast(operand, to: t.dtype), to: t.shape))
        }
        return []
    }

    /// An operand that shares memory with `self` must be `self` element for element (same
    /// view): a partial overlap would read elements the kernel has already written.
    static func checkOverlap(_ op: String, _ t: Tensor, _ operand: Tensor, _ name: String) throws {
        guard operand.storage === t.storage, operand.count > 0, t.count > 0 else { return }
        if operand.offset == t.offset, operand.shape == t.shape, operand.strides == t.strides { return }
        func span(_ x: Tensor) -> ClosedRange<Int> {
            let reach = zip(x.shape, x.strides).map { ($0 - 1) * $1 }
            return (x.offset + reach.filter { $0 < 0 }.reduce(0, +))...(x.offset + reach.filter { $0 > 0 }.reduce(0, +))
        }
        if span(operand).overlaps(span(t)) {
            throw TorchError(.invalidArgument, "\(op): some elements of \(name) \(describe(shape: operand.shape)) and the written-to self \(describe(shape: t.shape)) refer to a single memory location; clone() \(name) first")
        }
    }

    /// The Swift-side front end: calls `op` and hands back `self`, as PyTorch's `x.add_(y)` does.
    static func call(_ op: OperatorHandle, _ t: Tensor, _ positional: [ArgumentValue] = [],
                     _ keywords: [(String, ArgumentValue)] = []) throws -> Tensor {
        _ = try Runtime.dispatcher().call(op, [.tensor(t)] + positional, keywords)
        return t
    }
}
