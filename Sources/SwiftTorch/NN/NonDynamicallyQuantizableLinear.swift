import SwiftTorchCore

/// The output projection of ``MultiheadAttention``: a ``Linear`` under the class name
/// PyTorch gives it (its `NonDynamicallyQuantizableLinear` exists to steer quantisation),
/// so that `print(model)` reads as PyTorch's repr. Same keys (`weight`, `bias`),
/// initialisation and forward: they are the wrapped layer's.
public final class NonDynamicallyQuantizableLinear: Module, UnaryLayer {
    /// The layer doing the work, in a box so that reflection does not list it as a child
    /// (its tensors are this module's own, under `weight` and `bias`).
    private let box: LinearBox

    private struct LinearBox { let linear: Linear }

    /// A projection with ``Linear``'s options and initialisation.
    public init(_ inFeatures: Int, _ outFeatures: Int, bias: Bool = true, dtype: DType = .defaultFloat,
                device: Device? = nil, generator: Generator = .default) {
        box = LinearBox(linear: Linear(inFeatures, outFeatures, bias: bias, dtype: dtype, device: device, generator: generator))
        super.init()
        constructionError = box.linear.constructionError
    }

    /// The `[outFeatures, inFeatures]` weight.
    public var weight: Tensor { box.linear.weight }
    /// The `[outFeatures]` bias, nil without one.
    public var bias: Tensor? { box.linear.bias }

    override func ownSlots() -> [(key: String, slot: ModuleTensorSlot)] { box.linear.ownSlots() }

    /// Linear's `in_features=8, out_features=8, bias=True`.
    public override var extraRepr: String { box.linear.extraRepr }

    /// `x Wᵀ + b` over the last dimension of `x`.
    public func callAsFunction(_ x: Tensor) throws -> Tensor { try box.linear(x) }
}
