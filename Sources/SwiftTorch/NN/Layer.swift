import SwiftTorchCore

/// A module that maps one tensor to one tensor: what ``Sequential`` chains.
public protocol UnaryLayer: Module {
    /// The forward pass.
    func callAsFunction(_ x: Tensor) throws -> Tensor
}
