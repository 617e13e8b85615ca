import SwiftTorchCore

/// The largest value of each window, as PyTorch's `nn.MaxPool2d`; `stride` defaults to the
/// kernel size.
public final class MaxPool2d: Module, UnaryLayer {
    public let kernelSize: IntOrPair
    public let stride: IntOrPair?
    public let padding: IntOrPair
    public let dilation: IntOrPair
    public let ceilMode: Bool

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

    public func callAsFunction(_ x: Tensor) throws -> Tensor {
        try maxPool2d(x, kernelSize: kernelSize, stride: stride, padding: padding, dilation: dilation, ceilMode: ceilMode)
    }
}

/// The mean of each window, as PyTorch's `nn.AvgPool2d`; `stride` defaults to the kernel size.
public final class AvgPool2d: Module, UnaryLayer {
    public let kernelSize: IntOrPair
    public let stride: IntOrPair?
    public let padding: IntOrPair
    public let ceilMode: Bool
    public let countIncludePad: Bool
    public let divisorOverride: Int?

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

    public func callAsFunction(_ x: Tensor) throws -> Tensor {
        try avgPool2d(x, kernelSize: kernelSize, stride: stride, padding: padding, ceilMode: ceilMode,
                      countIncludePad: countIncludePad, divisorOverride: divisorOverride)
    }
}
