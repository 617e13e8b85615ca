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
    static func outputLength(input: Int, kernel: Int, stride: Int, padding: Int, dilation: Int,
                             ceilMode: Bool = false) -> Int {
        let span = input + 2 * padding - dilation * (kernel - 1) - 1
        guard span >= 0 else { return 0 }
        var length = (span + (ceilMode ? stride - 1 : 0)) / stride + 1
        if ceilMode, (length - 1) * stride >= input + padding { length -= 1 }
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
