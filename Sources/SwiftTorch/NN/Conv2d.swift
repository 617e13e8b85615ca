import SwiftTorchCore

/// 2-D convolution over [N, C, H, W] (or [C, H, W]) images, as PyTorch's `nn.Conv2d`:
/// `weight` is `[outChannels, inChannels / groups, kH, kW]`, `bias` is `[outChannels]`.
///
/// Initialised as PyTorch does: `kaiming_uniform_(a: sqrt(5))`, so the weight and the bias
/// are uniform in `±1/sqrt(fanIn)` with `fanIn = inChannels / groups * kH * kW`.
public final class Conv2d: Module, UnaryLayer {
    public let inChannels: Int
    public let outChannels: Int
    public let kernelSize: IntOrPair
    public let stride: IntOrPair
    public let padding: IntOrPair
    public let dilation: IntOrPair
    public let groups: Int
    /// The `[outChannels, inChannels / groups, kH, kW]` filters.
    @Parameter public var weight: Tensor
    /// The `[outChannels]` bias, nil without one.
    @Parameter public var bias: Tensor?

    public init(_ inChannels: Int, _ outChannels: Int, kernelSize: IntOrPair, stride: IntOrPair = 1, padding: IntOrPair = 0,
                dilation: IntOrPair = 1, groups: Int = 1, bias: Bool = true, dtype: DType = .defaultFloat,
                device: Device? = nil, generator: Generator = .default) throws {
        guard inChannels > 0, outChannels > 0, groups > 0, inChannels % groups == 0, outChannels % groups == 0 else {
            throw TorchError(.invalidArgument, "Conv2d: in_channels (\(inChannels)) and out_channels (\(outChannels)) must be positive and divisible by groups (\(groups))")
        }
        guard kernelSize.isValid, kernelSize.height > 0, kernelSize.width > 0 else {
            throw TorchError(.invalidArgument, "Conv2d: kernel_size must be one or two positive ints, got \(kernelSize.values)")
        }
        self.inChannels = inChannels
        self.outChannels = outChannels
        self.kernelSize = kernelSize
        self.stride = stride
        self.padding = padding
        self.dilation = dilation
        self.groups = groups
        // The weight's shape is the user's: its sizes are multiplied with overflow checks.
        let fanIn = try ShapeArithmetic.elementCount("Conv2d", [inChannels / groups, kernelSize.height, kernelSize.width])
        let bound = Init.kaimingUniformBound(fanIn: fanIn, a: 5.0.squareRoot())
        self.weight = try Init.uniform([outChannels, inChannels / groups, kernelSize.height, kernelSize.width],
                                       low: -bound, high: bound, dtype: dtype, device: device, generator: generator)
        let biasBound = 1 / Double(fanIn).squareRoot()
        self.bias = bias ? try Init.uniform([outChannels], low: -biasBound, high: biasBound, dtype: dtype,
                                            device: device, generator: generator) : nil
        super.init()
    }

    public func callAsFunction(_ x: Tensor) throws -> Tensor {
        try conv2d(x, weight: weight, bias: bias, stride: stride, padding: padding, dilation: dilation, groups: groups)
    }
}
