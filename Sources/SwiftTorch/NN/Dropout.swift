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

    /// `p=0.5, inplace=False`, as PyTorch prints it (this layer never works in place).
    public override var extraRepr: String { "p=\(p), inplace=False" }

    /// `x` with elements dropped and survivors scaled (training), or `x` itself.
    public func callAsFunction(_ x: Tensor) throws -> Tensor {
        try dropout(x, p: p, training: isTraining, generator: generator)
    }
}
