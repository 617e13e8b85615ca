import SwiftTorchCore

// Parameter-free layers: each calls the Tensor method of the same name, so that a model
// can hold them as children and `Sequential` can chain them.

/// `max(x, 0)` elementwise.
public final class ReLU: Module, UnaryLayer {
    /// A ReLU layer.
    public override init() { super.init() }
    /// `max(x, 0)`.
    public func callAsFunction(_ x: Tensor) throws -> Tensor { try x.relu() }
}

/// `1 / (1 + exp(-x))` elementwise.
public final class Sigmoid: Module, UnaryLayer {
    /// A sigmoid layer.
    public override init() { super.init() }
    /// The logistic function of `x`.
    public func callAsFunction(_ x: Tensor) throws -> Tensor { try x.sigmoid() }
}

/// Hyperbolic tangent elementwise.
public final class Tanh: Module, UnaryLayer {
    /// A tanh layer.
    public override init() { super.init() }
    /// `tanh(x)`.
    public func callAsFunction(_ x: Tensor) throws -> Tensor { try x.tanh() }
}

/// Gaussian error linear unit, exact (`x Φ(x)`) or with the tanh approximation.
public final class GELU: Module, UnaryLayer {
    /// How GELU is computed, as PyTorch's `approximate` argument.
    public enum Approximation: String, Sendable {
        /// `x * Φ(x)` with the error function.
        case none
        /// `0.5 x (1 + tanh(sqrt(2/π) (x + 0.044715 x³)))`.
        case tanh
    }

    /// The formula used.
    public let approximate: Approximation

    /// A GELU layer (exact by default, as PyTorch).
    public init(approximate: Approximation = .none) {
        self.approximate = approximate
        super.init()
    }

    /// `approximate='none'`, as PyTorch prints it.
    public override var extraRepr: String { "approximate=\(PythonLiteral.string(approximate.rawValue))" }

    /// GELU of `x`.
    public func callAsFunction(_ x: Tensor) throws -> Tensor { try x.gelu(approximate: approximate.rawValue) }
}

/// `x * sigmoid(x)` elementwise (also called swish).
public final class SiLU: Module, UnaryLayer {
    /// A SiLU layer.
    public override init() { super.init() }
    /// `x * sigmoid(x)`.
    public func callAsFunction(_ x: Tensor) throws -> Tensor { try x.silu() }
}

/// Softmax along `dim`: entries along it are positive and sum to 1.
public final class Softmax: Module, UnaryLayer {
    /// The dimension normalised.
    public let dim: Int
    /// A softmax layer over `dim`.
    public init(dim: Int) {
        self.dim = dim
        super.init()
    }
    /// `dim=1`, as PyTorch prints it.
    public override var extraRepr: String { "dim=\(dim)" }
    /// `exp(x) / sum(exp(x))` along `dim`.
    public func callAsFunction(_ x: Tensor) throws -> Tensor { try x.softmax(dim: dim) }
}

/// Log-softmax along `dim`, computed as `x - logsumexp(x)` so it stays finite.
public final class LogSoftmax: Module, UnaryLayer {
    /// The dimension normalised.
    public let dim: Int
    /// A log-softmax layer over `dim`.
    public init(dim: Int) {
        self.dim = dim
        super.init()
    }
    /// `dim=1`, as PyTorch prints it.
    public override var extraRepr: String { "dim=\(dim)" }
    /// `log(softmax(x))` along `dim`, computed stably.
    public func callAsFunction(_ x: Tensor) throws -> Tensor { try x.logSoftmax(dim: dim) }
}
