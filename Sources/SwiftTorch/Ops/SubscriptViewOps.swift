import SwiftTorchCore

// The views behind basic subscripts (`x[2]`, `x[1..<5]`, `x[.stride(by: 2)]`): `select` and
// `slice`, as PyTorch's. Both are composites that compute new geometry over the same
// storage, so they serve every backend and device and writing through them writes the base.

/// Where a Python-style slice lands in a dimension of `size`: bounds clamped as Python clamps
/// them (negative ones count from the end), and how many entries the step visits.
struct SliceBounds: Equatable {
    let start: Int
    let end: Int
    let step: Int
    /// Entries in `start..<end` every `step` (written so that a huge step cannot overflow).
    var count: Int { end > start ? (end - start - 1) / step + 1 : 0 }
    /// One past the last entry visited: where `arange(start, _, step: step)` stops.
    var lastExclusive: Int { count > 0 ? start + (count - 1) * step + 1 : start }

    /// Python's `x[start:end:step]` along a dimension of `size` (`step` must be positive).
    init(start: Int?, end: Int?, step: Int, size: Int) {
        func clamp(_ i: Int) -> Int { Swift.min(Swift.max(i < 0 ? i + size : i, 0), size) }
        self.start = start.map(clamp) ?? 0
        self.end = Swift.max(end.map(clamp) ?? size, self.start)
        self.step = step
    }
}

extension Op {
    /// Entry `index` of dimension `dim`, with that dimension removed (a view): `x[i]`.
    public static let select = declare(OperatorDefinition(
        "select(Tensor self, int dim, int index) -> Tensor", group: .indexing,
        composite: { args in
            let t = args.tensor("self")
            guard t.rank > 0 else {
                throw TorchError(.indexOutOfRange, "select: a 0-d tensor cannot be indexed (shape []); use item()")
            }
            let d = try Meta.wrapDim("select", args.int("dim"), rank: t.rank, shape: t.shape)
            let i = try Subscripts.wrapIndex(args.int("index"), dim: d, shape: t.shape)
            var shape = t.shape, strides = t.strides
            shape.remove(at: d)
            strides.remove(at: d)
            return [try Geometry.view("select", t, shape: shape, strides: strides, offset: t.offset + i * t.strides[d])]
        }, derivative: SubscriptGrad.select))

    /// Every `step`-th entry of `dim` from `start` up to `end` (a view): `x[start:end:step]`.
    /// Bounds clamp as Python's do; the step must be positive, as in PyTorch.
    public static let slice = declare(OperatorDefinition(
        "slice(Tensor self, int dim=0, int? start=None, int? end=None, int step=1) -> Tensor", group: .indexing,
        composite: { args in
            let t = args.tensor("self")
            guard t.rank > 0 else { throw TorchError(.indexOutOfRange, "slice: a 0-d tensor cannot be sliced (shape [])") }
            let d = try Meta.wrapDim("slice", args.int("dim"), rank: t.rank, shape: t.shape)
            let bounds = try Subscripts.sliceBounds(args, dim: d, size: t.shape[d])
            var shape = t.shape, strides = t.strides
            shape[d] = bounds.count
            // With one entry or none the stride is never used; keeping it avoids an overflow
            // for a huge step. With two or more, step * stride stays inside the storage.
            if bounds.count > 1 { strides[d] *= bounds.step }
            return [try Geometry.view("slice", t, shape: shape, strides: strides, offset: t.offset + bounds.start * t.strides[d])]
        }, derivative: SubscriptGrad.slice))
}

/// Checks shared by the subscript operators and the Swift subscript itself.
enum Subscripts {
    /// `index` wrapped into `0..<shape[dim]`, or the out-of-range error (PyTorch's) naming the
    /// dimension, its size and the shape.
    static func wrapIndex(_ index: Int, dim: Int, shape: [Int]) throws -> Int {
        let size = shape[dim]
        guard index >= -size, index < size else {
            throw TorchError(.indexOutOfRange, "index \(index) is out of range for dimension \(dim) with size \(size) (shape \(describe(shape: shape)))")
        }
        return index < 0 ? index + size : index
    }

    /// The resolved bounds of a `slice` call's `start`, `end` and `step`.
    static func sliceBounds(_ args: Arguments, dim: Int, size: Int) throws -> SliceBounds {
        let step = args.int("step")
        guard step > 0 else {
            throw TorchError(.invalidArgument, "slice: step must be greater than zero, got \(step) for dimension \(dim) (negative steps are not supported, as in PyTorch)")
        }
        return SliceBounds(start: args.optionalInt("start"), end: args.optionalInt("end"), step: step, size: size)
    }
}
