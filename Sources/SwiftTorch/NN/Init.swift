import SwiftTorchCore

/// PyTorch's `torch.nn.init`: fills for new parameters, drawn from a seedable ``Generator``.
public enum Init {
    /// Values uniform in `[low, high)`.
    public static func uniform(_ shape: [Int], low: Double, high: Double, dtype: DType = .defaultFloat,
                               device: Device? = nil, generator: Generator = .default) throws -> Tensor {
        try Tensor.rand(shape, dtype: dtype, device: device, generator: generator) * (high - low) + low
    }

    /// The bound of `kaiming_uniform_` with leaky-ReLU slope `a` and fan-in `fanIn`:
    /// `gain * sqrt(3 / fanIn)` with `gain = sqrt(2 / (1 + a²))`. For `a = sqrt(5)`, the
    /// default of `Linear`, this is `1 / sqrt(fanIn)`.
    public static func kaimingUniformBound(fanIn: Int, a: Double) -> Double {
        guard fanIn > 0 else { return 0 }
        let gain = (2 / (1 + a * a)).squareRoot()
        return gain * (3 / Double(fanIn)).squareRoot()
    }
}
