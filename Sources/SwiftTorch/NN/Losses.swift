import SwiftTorchCore

// Losses as modules, as PyTorch's `nn.*Loss`: each holds its options and calls the
// functional form. Class weights are buffers, so they travel with `stateDict()` as in
// PyTorch (`weight`, `pos_weight`).

/// Mean squared error between `input` and `target`.
public final class MSELoss: Module {
    /// How per-element losses are combined.
    public let reduction: Reduction

    /// An MSE loss (averaged by default).
    public init(reduction: Reduction = .mean) {
        self.reduction = reduction
        super.init()
    }

    /// The loss of `input` against `target` (same shape, or broadcastable).
    public func callAsFunction(_ input: Tensor, _ target: Tensor) throws -> Tensor {
        try mseLoss(input, target, reduction: reduction)
    }
}

/// Cross entropy between logits and class indices (int64) or class probabilities, with
/// optional class weights, an ignored class and label smoothing.
public final class CrossEntropyLoss: Module {
    /// Per-class weights (`[classes]`), or nil for equal weights.
    @Buffer public var weight: Tensor?
    /// Targets with this class index add nothing (and do not count in the mean).
    public let ignoreIndex: Int
    /// How per-sample losses are combined.
    public let reduction: Reduction
    /// Mass in `[0, 1]` moved from the target class to a uniform distribution.
    public let labelSmoothing: Double

    /// A cross-entropy loss with PyTorch's defaults.
    public init(weight: Tensor? = nil, ignoreIndex: Int = -100, reduction: Reduction = .mean, labelSmoothing: Double = 0) {
        self.weight = weight
        self.ignoreIndex = ignoreIndex
        self.reduction = reduction
        self.labelSmoothing = labelSmoothing
        super.init()
    }

    /// The loss of logits `input` (`[N, C]`, `[C]` or `[N, C, ...]`) against `target`.
    public func callAsFunction(_ input: Tensor, _ target: Tensor) throws -> Tensor {
        try crossEntropy(input, target, weight: weight, reduction: reduction, ignoreIndex: ignoreIndex,
                         labelSmoothing: labelSmoothing)
    }
}

/// Negative log-likelihood of log-probabilities (the output of `LogSoftmax`) at class indices.
public final class NLLLoss: Module {
    /// Per-class weights (`[classes]`), or nil for equal weights.
    @Buffer public var weight: Tensor?
    /// Targets with this class index add nothing (and do not count in the mean).
    public let ignoreIndex: Int
    /// How per-sample losses are combined.
    public let reduction: Reduction

    /// An NLL loss with PyTorch's defaults.
    public init(weight: Tensor? = nil, ignoreIndex: Int = -100, reduction: Reduction = .mean) {
        self.weight = weight
        self.ignoreIndex = ignoreIndex
        self.reduction = reduction
        super.init()
    }

    /// The loss of log-probabilities `input` against class indices `target`.
    public func callAsFunction(_ input: Tensor, _ target: Tensor) throws -> Tensor {
        try nllLoss(input, target, weight: weight, reduction: reduction, ignoreIndex: ignoreIndex)
    }
}

/// Binary cross entropy on logits (sigmoid and log-loss fused, so it is stable), with
/// optional element weights and a positive-class weight.
public final class BCEWithLogitsLoss: Module {
    /// Weights broadcast over the elements, or nil.
    @Buffer public var weight: Tensor?
    /// Weight of positive examples, broadcast over the class dimension, or nil.
    @Buffer public var posWeight: Tensor?
    /// How per-element losses are combined.
    public let reduction: Reduction

    /// A BCE-with-logits loss with PyTorch's defaults.
    public init(weight: Tensor? = nil, posWeight: Tensor? = nil, reduction: Reduction = .mean) {
        self.weight = weight
        self.posWeight = posWeight
        self.reduction = reduction
        super.init()
    }

    /// The loss of logits `input` against targets in `[0, 1]` of the same shape.
    public func callAsFunction(_ input: Tensor, _ target: Tensor) throws -> Tensor {
        try binaryCrossEntropyWithLogits(input, target, weight: weight, posWeight: posWeight, reduction: reduction)
    }
}
