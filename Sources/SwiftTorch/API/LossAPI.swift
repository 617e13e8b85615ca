import SwiftTorchCore

/// How a loss combines per-element values.
public enum Reduction: String, Sendable {
    /// `none` keeps the per-element losses, `mean` averages them, `sum` adds them up.
    case none, mean, sum
}

/// Mean squared error.
public func mseLoss(_ input: Tensor, _ target: Tensor, reduction: Reduction = .mean) throws -> Tensor {
    try dispatch(Op.mseLoss, [.tensor(input), .tensor(target), .string(reduction.rawValue)])
}

/// Cross entropy between logits `input` and class indices (int64) or class probabilities.
public func crossEntropy(_ input: Tensor, _ target: Tensor, weight: Tensor? = nil, reduction: Reduction = .mean,
                         ignoreIndex: Int = -100, labelSmoothing: Double = 0) throws -> Tensor {
    try dispatch(Op.crossEntropy, [.tensor(input), .tensor(target), weight.map(ArgumentValue.tensor) ?? .none,
                                   .string(reduction.rawValue), .int(ignoreIndex), .double(labelSmoothing)])
}

/// Negative log-likelihood of log-probabilities `input` at class indices `target`.
public func nllLoss(_ input: Tensor, _ target: Tensor, weight: Tensor? = nil, reduction: Reduction = .mean,
                    ignoreIndex: Int = -100) throws -> Tensor {
    try dispatch(Op.nllLoss, [.tensor(input), .tensor(target), weight.map(ArgumentValue.tensor) ?? .none,
                              .string(reduction.rawValue), .int(ignoreIndex)])
}

/// Binary cross entropy on logits, computed stably.
public func binaryCrossEntropyWithLogits(_ input: Tensor, _ target: Tensor, weight: Tensor? = nil, posWeight: Tensor? = nil,
                                         reduction: Reduction = .mean) throws -> Tensor {
    try dispatch(Op.binaryCrossEntropyWithLogits, [.tensor(input), .tensor(target), weight.map(ArgumentValue.tensor) ?? .none,
                                                   posWeight.map(ArgumentValue.tensor) ?? .none, .string(reduction.rawValue)])
}
