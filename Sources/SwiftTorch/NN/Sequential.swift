import SwiftTorchCore

/// Layers applied one after another, as PyTorch's `nn.Sequential`. Children are named by
/// position, so parameters are `0.weight`, `2.bias`, ... as in PyTorch's state dicts.
///
/// <!-- snippet: sequential -->
/// ```swift
/// let model = Sequential {
///     Linear(64, 128)
///     ReLU()
///     Linear(128, 10)
/// }
/// let logits = try model(x)   // x [32, 64] -> logits [32, 10]
/// ```
public final class Sequential: Module, UnaryLayer {
    /// The layers in order.
    public private(set) var layers: [any UnaryLayer]

    /// Chains `layers` in order.
    public init(_ layers: [any UnaryLayer]) {
        self.layers = layers
        super.init()
    }

    /// Chains the layers the builder lists (`if`, `if`/`else` and `for` are allowed).
    public convenience init(@SequentialBuilder _ build: () throws -> [any UnaryLayer]) rethrows {
        self.init(try build())
    }

    /// The layers named "0", "1", ...
    public override func children() -> [(String, Module)] {
        layers.enumerated().map { (String($0.offset), $0.element) }
    }

    /// Number of layers.
    public var count: Int { layers.count }

    /// The layer at `index`.
    public subscript(index: Int) -> any UnaryLayer { layers[index] }

    /// Adds `layer` at the end.
    public func append(_ layer: any UnaryLayer) { layers.append(layer) }

    /// `x` passed through every layer in order.
    public func callAsFunction(_ x: Tensor) throws -> Tensor {
        try layers.reduce(x) { try $1($0) }
    }
}

/// Builds the layer list of ``Sequential`` from a closure of layer expressions.
@resultBuilder
public enum SequentialBuilder {
    /// One layer.
    public static func buildExpression(_ layer: any UnaryLayer) -> [any UnaryLayer] { [layer] }
    /// Several layers made elsewhere.
    public static func buildExpression(_ layers: [any UnaryLayer]) -> [any UnaryLayer] { layers }
    /// The statements in order.
    public static func buildBlock(_ parts: [any UnaryLayer]...) -> [any UnaryLayer] { parts.flatMap { $0 } }
    /// An `if` without `else`.
    public static func buildOptional(_ part: [any UnaryLayer]?) -> [any UnaryLayer] { part ?? [] }
    /// The first branch of `if`/`else`.
    public static func buildEither(first part: [any UnaryLayer]) -> [any UnaryLayer] { part }
    /// The second branch of `if`/`else`.
    public static func buildEither(second part: [any UnaryLayer]) -> [any UnaryLayer] { part }
    /// A `for` loop.
    public static func buildArray(_ parts: [[any UnaryLayer]]) -> [any UnaryLayer] { parts.flatMap { $0 } }
}
