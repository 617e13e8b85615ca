import SwiftTorchCore

/// The largest value of each window, as PyTorch's `nn.MaxPool2d`; `stride` defaults to the
/// kernel size.
public final class MaxPool2d: Module, UnaryLayer {
    /// The window's height and width.
    public let kernelSize: IntOrPair
    /// The step between windows; nil means the window size.
    public let stride: IntOrPair?
    /// Implicit negative infinity added on each side.
    public let padding: IntOrPair
    /// The spacing between a window's elements.
    public let dilation: IntOrPair
    /// Whether the output size rounds up, so a partial last window counts.
    public let ceilMode: Bool

    /// Max pooling with PyTorch's arguments; a bad size is thrown by the first forward call.
    public init(kernelSize: IntOrPair, stride: IntOrPair? = nil, padding: IntOrPair = 0, dilation: IntOrPair = 1,
                ceilMode: Bool = false) {
        self.kernelSize = kernelSize
        self.stride = stride
        self.padding = padding
        self.dilation = dilation
        self.ceilMode = ceilMode
        super.init()
    }

    /// `kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False`, sizes as given
    /// (an int or a pair), as PyTorch prints it.
    public override var extraRepr: String {
        "kernel_size=\(PythonLiteral.intOrPair(kernelSize)), stride=\(PythonLiteral.intOrPair(stride ?? kernelSize)), "
            + "padding=\(PythonLiteral.intOrPair(padding)), dilation=\(PythonLiteral.intOrPair(dilation)), ceil_mode=\(PythonLiteral.bool(ceilMode))"
    }

    /// Pools [N, C, H, W] (or unbatched [C, H, W]) input.
    public func callAsFunction(_ x: Tensor) throws -> Tensor {
        try maxPool2d(x, kernelSize: kernelSize, stride: stride, padding: padding, dilation: dilation, ceilMode: ceilMode)
    }
}

/// The mean of each window, as PyTorch's `nn.AvgPool2d`; `stride` defaults to the kernel size.
public final class AvgPool2d: Module, UnaryLayer {
    /// The window's height and width.
    public let kernelSize: IntOrPair
    /// The step between windows; nil means the window size.
    public let stride: IntOrPair?
    /// Zeros added on each side.
    public let padding: IntOrPair
    /// Whether the output size rounds up, so a partial last window counts.
    public let ceilMode: Bool
    /// Whether the padding zeros count in a window's average.
    public let countIncludePad: Bool
    /// A divisor to use instead of the window's size.
    public let divisorOverride: Int?

    /// Average pooling with PyTorch's arguments; a bad size is thrown by the first forward call.
    public init(kernelSize: IntOrPair, stride: IntOrPair? = nil, padding: IntOrPair = 0, ceilMode: Bool = false,
                countIncludePad: Bool = true, divisorOverride: Int? = nil) {
        self.kernelSize = kernelSize
        self.stride = stride
        self.padding = padding
        self.ceilMode = ceilMode
        self.countIncludePad = countIncludePad
        self.divisorOverride = divisorOverride
        super.init()
    }

    /// `kernel_size=2, stride=2, padding=0`, sizes as given, as PyTorch prints it.
    public override var extraRepr: String {
        "kernel_size=\(PythonLiteral.intOrPair(kernelSize)), stride=\(PythonLiteral.intOrPair(stride ?? kernelSize)), "
            + "padding=\(PythonLiteral.intOrPair(padding))"
    }

    /// Averages each window of [N, C, H, W] (or unbatched [C, H, W]) input.
    public func callAsFunction(_ x: Tensor) throws -> Tensor {
        try avgPool2d(x, kernelSize: kernelSize, stride: stride, padding: padding, ceilMode: ceilMode,
                      countIncludePad: countIncludePad, divisorOverride: divisorOverride)
    }
}
