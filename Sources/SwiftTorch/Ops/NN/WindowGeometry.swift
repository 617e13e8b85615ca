import SwiftTorchCore

/// Checks and sizes shared by the sliding-window operators (convolution and pooling).
/// The meta rules store every pair argument as two values, so kernels never re-derive them.
enum WindowGeometry {
    /// `value` as (height, width): one entry is used for both, as PyTorch's `_pair`.
    static func pair(_ op: String, _ name: String, _ value: [Int], minimum: Int) throws -> [Int] {
        let pair: [Int]
        switch value.count {
        case 1: pair = [value[0], value[0]]
        case 2: pair = value
        default:
            throw TorchError(.invalidArgument, "\(op): \(name) must be one int or two (height, width), got \(value)")
        }
        guard pair.allSatisfy({ $0 >= minimum }) else {
            throw TorchError(.invalidArgument, "\(op): \(name) must be \(minimum == 0 ? "non-negative" : "at least \(minimum)"), got \(value)")
        }
        return pair
    }

    /// Output length of a window of `kernel` taps spaced `dilation` apart, sliding by
    /// `stride` over `input` padded by `padding` on both sides. With `ceilMode` a last,
    /// partial window counts, unless it would start inside the right padding (PyTorch's
    /// `pooling_output_shape`).
    ///
    /// Every step is overflow-checked: stride, padding and dilation are the user's, and
    /// `padding = Int.max` or `dilation = 1 << 62` must be an error naming `op`, not a trap.
    static func outputLength(_ op: String, input: Int, kernel: Int, stride: Int, padding: Int, dilation: Int,
                             ceilMode: Bool = false) throws -> Int {
        // Worded only for an error (the `what` arguments below are autoclosures).
        func geometry() -> String { "input \(input), kernel \(kernel), stride \(stride), padding \(padding), dilation \(dilation)" }
        let padded = try ShapeArithmetic.sum(op, input, try ShapeArithmetic.product(op, 2, padding, "twice the padding"),
                                             "the padded input length (\(geometry()))")
        let reach = try ShapeArithmetic.product(op, dilation, kernel - 1, "the window's reach (\(geometry()))")
        // A kernel of size 0 (a convolution weight may have one) makes the reach negative.
        let span = try ShapeArithmetic.sum(op, padded, -reach - 1, "the padded input length less the window's reach (\(geometry()))")
        guard span >= 0 else { return 0 }
        // span / stride rounded up is span / stride plus one when there is a remainder:
        // span + stride - 1 could overflow for a huge stride.
        var length = span / stride + (ceilMode && span % stride != 0 ? 1 : 0) + 1
        // (length - 1) * stride <= span + stride - 1 fits, but is checked all the same.
        if ceilMode, try ShapeArithmetic.product(op, length - 1, stride, "the last window's start (\(geometry()))") >= input + padding {
            length -= 1
        }
        return length
    }

    /// The spatial dims of a 3-D (unbatched) or 4-D image tensor, with an error naming `op`.
    static func requireImage(_ op: String, _ t: Tensor, name: String = "input") throws {
        guard t.rank == 3 || t.rank == 4 else {
            throw TorchError(.shapeMismatch, "\(op): expected a 3-D (C, H, W) or 4-D (N, C, H, W) \(name), got shape \(describe(shape: t.shape))")
        }
        guard t.dtype.isFloatingPoint else {
            throw TorchError(.dtypeMismatch, "\(op): \(name) must be floating point, got \(t.dtype)\(describe(shape: t.shape))")
        }
    }
}
