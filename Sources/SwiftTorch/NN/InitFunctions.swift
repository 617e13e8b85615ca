import Foundation
import SwiftTorchCore

// PyTorch's `torch.nn.init` fills, in place: `Init.xavierUniform(layer.weight)` is
// `nn.init.xavier_uniform_(layer.weight)`. Each writes into the tensor it is given (the
// parameter keeps its identity, so an optimizer made before still holds it), outside
// autograd, and returns it. Random fills draw from `generator`, so a seed reproduces them.

extension Init {
    /// The activation a layer feeds, for ``calculateGain(_:param:)``.
    public enum Nonlinearity: String, Sendable {
        /// No activation, or a convolution's output as it is (gain 1).
        case linear, conv1d, conv2d, conv3d
        /// A transposed convolution's output (gain 1).
        case convTranspose1d = "conv_transpose1d", convTranspose2d = "conv_transpose2d", convTranspose3d = "conv_transpose3d"
        /// Sigmoid (gain 1), tanh (5/3) and ReLU (√2).
        case sigmoid, tanh, relu
        /// Leaky ReLU (√(2 / (1 + slope²))).
        case leakyRelu = "leaky_relu"
        /// SELU (3/4).
        case selu
    }

    /// Which fan a Kaiming fill keeps the variance of: inputs (forward pass) or outputs (backward).
    public enum FanMode: String, Sendable {
        /// The inputs: keeps the forward pass's variance.
        case fanIn = "fan_in"
        /// The outputs: keeps the backward pass's variance.
        case fanOut = "fan_out"
    }

    /// The recommended gain for `nonlinearity`, as `nn.init.calculate_gain`: 1 for linear,
    /// convolutions and sigmoid, 5/3 for tanh, √2 for ReLU, √(2 / (1 + slope²)) for leaky
    /// ReLU (`param` is the negative slope, 0.01 when nil), 3/4 for SELU.
    public static func calculateGain(_ nonlinearity: Nonlinearity, param: Double? = nil) -> Double {
        switch nonlinearity {
        case .linear, .conv1d, .conv2d, .conv3d, .convTranspose1d, .convTranspose2d, .convTranspose3d, .sigmoid: 1
        case .tanh: 5.0 / 3
        case .relu: 2.0.squareRoot()
        case .leakyRelu:
            (2.0 / (1 + Foundation.pow(param ?? 0.01, 2))).squareRoot()
        case .selu: 3.0 / 4
        }
    }

    /// `tensor`'s fan-in and fan-out: input and output features (sizes of dimensions 1 and 0)
    /// times the receptive field (the product of the other sizes), as PyTorch computes them.
    public static func fans(_ tensor: Tensor) throws -> (fanIn: Int, fanOut: Int) { try fans(tensor, op: "fans") }

    static func fans(_ tensor: Tensor, op: String) throws -> (fanIn: Int, fanOut: Int) {
        guard tensor.shape.count >= 2 else {
            throw TorchError(.invalidArgument, "Init.\(op): Fan in and fan out can not be computed for tensor with fewer than 2 dimensions (got \(tensor.dtype)\(describe(shape: tensor.shape)))")
        }
        let receptive = tensor.shape.dropFirst(2).reduce(1, *)
        return (tensor.shape[1] * receptive, tensor.shape[0] * receptive)
    }

    /// Fills `tensor` with values uniform in `[a, b)`.
    @discardableResult
    public static func uniform(_ tensor: Tensor, a: Double = 0, b: Double = 1, generator: Generator = .default) throws -> Tensor {
        try requireFloatingPoint(tensor, "uniform")
        return try fill(tensor, with: Tensor.rand(tensor.shape, dtype: tensor.dtype, device: tensor.device, generator: generator) * (b - a) + a)
    }

    /// Fills `tensor` with normal values of mean `mean` and standard deviation `std`.
    @discardableResult
    public static func normal(_ tensor: Tensor, mean: Double = 0, std: Double = 1, generator: Generator = .default) throws -> Tensor {
        try requireFloatingPoint(tensor, "normal")
        guard std >= 0 else { throw TorchError(.invalidArgument, "Init.normal: std must be non-negative, got \(std)") }
        return try fill(tensor, with: Tensor.randn(tensor.shape, dtype: tensor.dtype, device: tensor.device, generator: generator) * std + mean)
    }

    /// Fills `tensor` with `value`.
    @discardableResult
    public static func constant(_ tensor: Tensor, _ value: Double) throws -> Tensor {
        try withNoGrad { try tensor.fill_(value) }
    }

    /// Fills `tensor` with zeros.
    @discardableResult
    public static func zeros(_ tensor: Tensor) throws -> Tensor { try constant(tensor, 0) }

    /// Fills `tensor` with ones.
    @discardableResult
    public static func ones(_ tensor: Tensor) throws -> Tensor { try constant(tensor, 1) }

    /// Glorot's uniform fill: `U(-a, a)` with `a = gain * √(6 / (fanIn + fanOut))`.
    @discardableResult
    public static func xavierUniform(_ tensor: Tensor, gain: Double = 1, generator: Generator = .default) throws -> Tensor {
        let std = try xavierStd(tensor, gain, "xavierUniform")
        let bound = 3.0.squareRoot() * std
        return try uniform(tensor, a: -bound, b: bound, generator: generator)
    }

    /// Glorot's normal fill: `N(0, std²)` with `std = gain * √(2 / (fanIn + fanOut))`.
    @discardableResult
    public static func xavierNormal(_ tensor: Tensor, gain: Double = 1, generator: Generator = .default) throws -> Tensor {
        try normal(tensor, mean: 0, std: xavierStd(tensor, gain, "xavierNormal"), generator: generator)
    }

    /// He's uniform fill: `U(-bound, bound)` with `bound = gain * √(3 / fan)`, the gain of
    /// `nonlinearity` with negative slope `a` (PyTorch's defaults: leaky ReLU, `a = 0`, fan-in).
    @discardableResult
    public static func kaimingUniform(_ tensor: Tensor, a: Double = 0, mode: FanMode = .fanIn,
                                      nonlinearity: Nonlinearity = .leakyRelu, generator: Generator = .default) throws -> Tensor {
        guard tensor.count > 0 else { return tensor }  // PyTorch warns and leaves an empty tensor as it is
        let bound = 3.0.squareRoot() * (try kaimingStd(tensor, a, mode, nonlinearity, "kaimingUniform"))
        return try uniform(tensor, a: -bound, b: bound, generator: generator)
    }

    /// He's normal fill: `N(0, std²)` with `std = gain / √fan`.
    @discardableResult
    public static func kaimingNormal(_ tensor: Tensor, a: Double = 0, mode: FanMode = .fanIn,
                                     nonlinearity: Nonlinearity = .leakyRelu, generator: Generator = .default) throws -> Tensor {
        guard tensor.count > 0 else { return tensor }
        return try normal(tensor, mean: 0, std: kaimingStd(tensor, a, mode, nonlinearity, "kaimingNormal"), generator: generator)
    }

    /// A (semi-)orthogonal fill, as `nn.init.orthogonal_`: the Q factor of a normal matrix's QR
    /// decomposition (signs fixed so R's diagonal is positive), times `gain`. The tensor is seen
    /// as `size(0)` rows of the other dimensions flattened; rows are orthonormal when there are
    /// no more rows than columns, columns otherwise.
    @discardableResult
    public static func orthogonal(_ tensor: Tensor, gain: Double = 1, generator: Generator = .default) throws -> Tensor {
        try requireFloatingPoint(tensor, "orthogonal")
        guard tensor.shape.count >= 2 else {
            throw TorchError(.invalidArgument, "Init.orthogonal: Only tensors with 2 or more dimensions are supported (got \(tensor.dtype)\(describe(shape: tensor.shape)))")
        }
        guard tensor.count > 0 else { return tensor }
        let rows = tensor.shape[0], columns = tensor.count / rows
        // Orthonormalise the columns of the taller orientation, then turn back if needed.
        let (m, n) = (Swift.max(rows, columns), Swift.min(rows, columns))
        var q = orthonormalColumns(generator.normal(m * n), rows: m, columns: n)
        if rows < columns { q = transposed(q, rows: m, columns: n) }
        let values = q.map { $0 * gain }
        return try fill(tensor, with: Tensor(values, shape: tensor.shape, dtype: tensor.dtype, device: tensor.device))
    }

    // MARK: Helpers

    private static func fill(_ tensor: Tensor, with values: Tensor) throws -> Tensor {
        try withNoGrad { try tensor.copy_(values) }
    }

    private static func requireFloatingPoint(_ tensor: Tensor, _ op: String) throws {
        guard tensor.dtype.isFloatingPoint else {
            throw TorchError(.dtypeMismatch, "Init.\(op): random fills need a floating-point tensor, got \(tensor.dtype)\(describe(shape: tensor.shape))")
        }
    }

    private static func xavierStd(_ tensor: Tensor, _ gain: Double, _ op: String) throws -> Double {
        let (fanIn, fanOut) = try fans(tensor, op: op)
        return gain * (2.0 / Double(fanIn + fanOut)).squareRoot()
    }

    private static func kaimingStd(_ tensor: Tensor, _ a: Double, _ mode: FanMode, _ nonlinearity: Nonlinearity, _ op: String) throws -> Double {
        let (fanIn, fanOut) = try fans(tensor, op: op)
        return calculateGain(nonlinearity, param: a) / Double(mode == .fanIn ? fanIn : fanOut).squareRoot()
    }

    /// The Q factor (row-major, `rows` x `columns`, `rows >= columns`) of `matrix`'s QR
    /// decomposition with a positive diagonal in R: modified Gram–Schmidt, each column
    /// orthogonalised twice so the result stays orthonormal to rounding.
    private static func orthonormalColumns(_ matrix: [Double], rows: Int, columns: Int) -> [Double] {
        var a = matrix
        for j in 0..<columns {
            for _ in 0..<2 {
                for k in 0..<j {
                    var dot = 0.0
                    for i in 0..<rows { dot += a[i * columns + k] * a[i * columns + j] }
                    for i in 0..<rows { a[i * columns + j] -= dot * a[i * columns + k] }
                }
            }
            var norm = 0.0
            for i in 0..<rows { norm += a[i * columns + j] * a[i * columns + j] }
            norm = norm.squareRoot()
            // A zero column (probability zero for normal draws) stays zero, as PyTorch's sign(0) makes it.
            if norm > 0 { for i in 0..<rows { a[i * columns + j] /= norm } }
        }
        return a
    }

    private static func transposed(_ matrix: [Double], rows: Int, columns: Int) -> [Double] {
        var out = [Double](repeating: 0, count: matrix.count)
        for i in 0..<rows {
            for j in 0..<columns { out[j * rows + i] = matrix[i * columns + j] }
        }
        return out
    }
}
