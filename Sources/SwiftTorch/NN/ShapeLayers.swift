import SwiftTorchCore

/// Merges dimensions `startDim...endDim` into one, as PyTorch's `nn.Flatten` (by default
/// everything but the batch dimension).
public final class Flatten: Module, UnaryLayer {
    /// First dimension merged.
    public let startDim: Int
    /// Last dimension merged (negative counts from the end).
    public let endDim: Int

    /// A layer flattening `startDim...endDim`.
    public init(startDim: Int = 1, endDim: Int = -1) {
        self.startDim = startDim
        self.endDim = endDim
        super.init()
    }

    /// `start_dim=1, end_dim=-1`, as PyTorch prints it.
    public override var extraRepr: String { "start_dim=\(startDim), end_dim=\(endDim)" }

    /// `x` with dimensions `startDim...endDim` merged.
    public func callAsFunction(_ x: Tensor) throws -> Tensor { try x.flatten(startDim: startDim, endDim: endDim) }
}

/// Returns its input unchanged: a placeholder where a layer is optional.
public final class Identity: Module, UnaryLayer {
    /// An identity layer.
    public override init() { super.init() }
    /// `x` itself.
    public func callAsFunction(_ x: Tensor) throws -> Tensor { x }
}
