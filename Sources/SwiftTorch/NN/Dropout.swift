import SwiftTorchCore

/// Zeroes each element with probability `p` during training and scales the survivors by
/// `1 / (1 - p)`, so the expected value is unchanged; the identity in evaluation mode, as
/// PyTorch's `nn.Dropout`. The mask comes from `generator`, so a seed reproduces it.
public final class Dropout: Module, UnaryLayer {
    /// Probability that an element is zeroed.
    public let p: Double
    /// Where the masks come from.
    public let generator: Generator

    /// A dropout layer; `p` must be in `[0, 1]` (checked when it runs, which throws).
    public init(p: Double = 0.5, generator: Generator = .default) {
        self.p = p
        self.generator = generator
        super.init()
    }

    /// `x` with elements dropped and survivors scaled (training), or `x` itself.
    public func callAsFunction(_ x: Tensor) throws -> Tensor {
        guard p >= 0, p <= 1 else {
            throw TorchError(.invalidArgument, "Dropout: probability has to be between 0 and 1, but got \(p)")
        }
        guard isTraining, p > 0 else { return x }
        guard x.dtype.isFloatingPoint else {
            throw TorchError(.dtypeMismatch, "Dropout: input must be floating point, got \(x.dtype)\(describe(shape: x.shape))")
        }
        // p = 1 drops everything; 1 / (1 - p) would turn the zeros into NaN.
        let scale = p == 1 ? 0 : 1 / (1 - p)
        let keep = try Tensor.rand(x.shape, dtype: x.dtype, device: x.device, generator: generator).ge(p)
        // One multiply by (mask * scale): the gradient is the same mask, scaled.
        return try x * (keep.to(x.dtype) * scale)
    }
}
