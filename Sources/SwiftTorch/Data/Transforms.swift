import SwiftTorchCore

/// A function applied to each sample by a dataset that takes a `transform` (``MNIST``,
/// ``FashionMNIST``, ``CIFAR10``), as torchvision's transforms: scaling, normalising, random
/// crops and flips, composed with ``Compose``.
///
/// Transforms are `Sendable` values: a ``DataLoader``'s workers apply them from several
/// threads at once. Random ones draw from their own generator when given one, else from
/// ``Generator/augmentation``.
public protocol Transform: Sendable {
    /// The transformed sample.
    func callAsFunction(_ input: Tensor) throws -> Tensor
}

/// Transforms applied in order, as torchvision's `Compose`.
///
/// <!-- snippet: data-compose -->
/// ```swift
/// let transform = Compose([ToTensor(), Normalize(mean: [0.5], std: [0.5])])
/// let scaled = try transform(pixels)   // 0...255 to [-1, 1]
/// ```
public struct Compose: Transform {
    /// The transforms, first applied first.
    public let transforms: [any Transform]

    /// `transforms`, applied first to last.
    public init(_ transforms: [any Transform]) {
        self.transforms = transforms
    }

    /// `input` passed through every transform in turn.
    public func callAsFunction(_ input: Tensor) throws -> Tensor {
        try transforms.reduce(input) { sample, transform in try transform(sample) }
    }
}

/// A transform made of a closure, as torchvision's `Lambda`; for labels, for instance
/// (`targetTransform: Lambda { try $0.oneHot(10) }`).
public struct Lambda: Transform {
    private let body: @Sendable (Tensor) throws -> Tensor

    /// A transform that calls `body`.
    public init(_ body: @escaping @Sendable (Tensor) throws -> Tensor) {
        self.body = body
    }

    /// `body(input)`.
    public func callAsFunction(_ input: Tensor) throws -> Tensor { try body(input) }
}
