import SwiftTorchCore

/// Pixel values 0...255 scaled into [0, 1] as float32, as torchvision's `ToTensor` does to an
/// 8-bit image (SwiftTorch's image datasets give their pixels as float32 0...255, there being
/// no uint8 tensors). The division rounds as PyTorch's `x.float() / 255` does.
public struct ToTensor: Transform {
    /// The transform; it has no settings.
    public init() {}

    /// `input` as float32, divided by 255.
    public func callAsFunction(_ input: Tensor) throws -> Tensor {
        try input.to(.float32) / 255.0
    }
}

/// Each channel shifted by its mean and divided by its standard deviation, as torchvision's
/// `Normalize`: `output[c] = (input[c] - mean[c]) / std[c]` on images of shape
/// `[..., C, H, W]`. One value for `mean` or `std` stands for every channel.
public struct Normalize: Transform {
    /// Per channel means.
    public let mean: [Double]
    /// Per channel standard deviations.
    public let std: [Double]

    /// Normalises with `mean` and `std`, one value per channel (or one for all).
    public init(mean: [Double], std: [Double]) {
        self.mean = mean
        self.std = std
    }

    /// `(input - mean) / std`, channel by channel, in `input`'s floating dtype. An input that
    /// is not a floating image of rank 3 or more, a channel count that does not match, or a
    /// standard deviation of 0 throws.
    public func callAsFunction(_ input: Tensor) throws -> Tensor {
        guard input.rank >= 3, input.dtype.isFloatingPoint else {
            throw TorchError(.invalidArgument, "Normalize: expected a floating image of shape [..., C, H, W]; got \(input.dtype) of shape \(describe(shape: input.shape))")
        }
        let channels = input.shape[input.rank - 3]
        for (name, values) in [("mean", mean), ("std", std)] where values.count != 1 && values.count != channels {
            throw TorchError(.shapeMismatch, "Normalize: \(values.count) \(name) values for an image of \(channels) channels (shape \(describe(shape: input.shape))); give one per channel, or one for all")
        }
        // Checked as float32 rounds it, as torchvision does: a tiny std that rounds to 0
        // would divide by zero.
        if let zero = std.firstIndex(where: { Float($0) == 0 }) {
            throw TorchError(.invalidArgument, "Normalize: std[\(zero)] = \(std[zero]) is 0 in \(input.dtype); it would divide by zero")
        }
        let perChannel = [mean.count == 1 ? 1 : channels, 1, 1]
        let meanTensor = try Tensor(mean, shape: perChannel, dtype: input.dtype).to(input.device)
        let stdTensor = try Tensor(std, shape: perChannel, dtype: input.dtype).to(input.device)
        return try (input - meanTensor) / stdTensor
    }
}
