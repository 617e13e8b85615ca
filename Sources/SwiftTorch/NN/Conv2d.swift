import SwiftTorchCore

/// 2-D convolution over [N, C, H, W] (or [C, H, W]) images, as PyTorch's `nn.Conv2d`:
/// `weight` is `[outChannels, inChannels / groups, kH, kW]`, `bias` is `[outChannels]`.
///
/// Initialised as PyTorch does: `kaiming_uniform_(a: sqrt(5))`, so the weight and the bias
/// are uniform in `±1/sqrt(fanIn)` with `fanIn = inChannels / groups * kH * kW`.
public final class Conv2d: Module, UnaryLayer {
    /// Channels of the input.
    public let inChannels: Int
    /// Channels of the output, one filter each.
    public let outChannels: Int
    /// The filter's height and width.
    public let kernelSize: IntOrPair
    /// The step between filter positions.
    public let stride: IntOrPair
    /// Zeros added on each side of the input.
    public let padding: IntOrPair
    /// The spacing between filter taps.
    public let dilation: IntOrPair
    /// Channel groups convolved separately; `inChannels` and `outChannels` divide by it.
    public let groups: Int
    /// The `[outChannels, inChannels / groups, kH, kW]` filters.
    @Parameter public var weight: Tensor
    /// The `[outChannels]` bias, nil without one.
    @Parameter public var bias: Tensor?

    /// A convolution with PyTorch's default initialisation, drawn from `generator`. Bad
    /// channel counts or kernel sizes, or memory that cannot be had, are thrown by the
    /// first forward call.
    public init(_ inChannels: Int, _ outChannels: Int, kernelSize: IntOrPair, stride: IntOrPair = 1, padding: IntOrPair = 0,
                dilation: IntOrPair = 1, groups: Int = 1, bias: Bool = true, dtype: DType = .defaultFloat,
                device: Device? = nil, generator: Generator = .default) {
        self.inChannels = inChannels
        self.outChannels = outChannels
        self.kernelSize = kernelSize
        self.stride = stride
        self.padding = padding
        self.dilation = dilation
        self.groups = groups
        let made = LayerTensors("Conv2d") { () throws -> (weight: Tensor, bias: Tensor?) in
            guard inChannels > 0, outChannels > 0, groups > 0, inChannels % groups == 0, outChannels % groups == 0 else {
                throw TorchError(.invalidArgument, "Conv2d: in_channels (\(inChannels)) and out_channels (\(outChannels)) must be positive and divisible by groups (\(groups))")
            }
            guard kernelSize.isValid, kernelSize.height > 0, kernelSize.width > 0 else {
                throw TorchError(.invalidArgument, "Conv2d: kernel_size must be one or two positive ints, got \(kernelSize.values)")
            }
            // The weight's shape is the user's: its sizes are multiplied with overflow checks.
            let fanIn = try ShapeArithmetic.elementCount("Conv2d", [inChannels / groups, kernelSize.height, kernelSize.width])
            let bound = Init.kaimingUniformBound(fanIn: fanIn, a: 5.0.squareRoot())
            let weight = try Init.uniform([outChannels, inChannels / groups, kernelSize.height, kernelSize.width],
                                          low: -bound, high: bound, dtype: dtype, device: device, generator: generator)
            let biasBound = 1 / Double(fanIn).squareRoot()
            return (weight, bias ? try Init.uniform([outChannels], low: -biasBound, high: biasBound, dtype: dtype,
                                                     device: device, generator: generator) : nil)
        }
        self.weight = made.value?.weight ?? .unbuiltPlaceholder(dtype)
        self.bias = made.value?.bias
        super.init()
        constructionError = made.error
    }

    /// `1, 32, kernel_size=(3, 3), stride=(1, 1)` and the settings that differ from their
    /// defaults, as PyTorch prints them.
    public override var extraRepr: String {
        var text = "\(inChannels), \(outChannels), kernel_size=\(PythonLiteral.pair(kernelSize)), stride=\(PythonLiteral.pair(stride))"
        if padding.height != 0 || padding.width != 0 { text += ", padding=\(PythonLiteral.pair(padding))" }
        if dilation.height != 1 || dilation.width != 1 { text += ", dilation=\(PythonLiteral.pair(dilation))" }
        if groups != 1 { text += ", groups=\(groups)" }
        if bias == nil { text += ", bias=False" }
        return text
    }

    /// Convolves [N, C, H, W] (or unbatched [C, H, W]) input.
    public func callAsFunction(_ x: Tensor) throws -> Tensor {
        try throwConstructionError()
        return try conv2d(x, weight: weight, bias: bias, stride: stride, padding: padding, dilation: dilation, groups: groups)
    }
}
