import Foundation
import SwiftTorchCore

/// Changes an optimizer's learning rates once per epoch, as PyTorch's `LRScheduler`.
///
/// Creating a scheduler counts as epoch 0 and leaves the learning rates as they are; each
/// ``step()`` moves to the next epoch and writes the new rates into the optimizer's groups.
/// Rates are computed from the current ones (PyTorch's chainable form), so schedulers can
/// be combined and the values match PyTorch's to rounding.
///
/// ```swift
/// let scheduler = try StepLR(optimizer, stepSize: 30, gamma: 0.1)
/// for epoch in 0..<100 { try train(epoch); try optimizer.step(); scheduler.step() }
/// ```
open class LRScheduler {
    /// The optimizer whose learning rates this scheduler sets.
    public let optimizer: any Optimizer
    /// The learning rates the groups had when the scheduler was created.
    public let baseLRs: [Double]
    /// The epoch the current rates belong to (0 after creation).
    public private(set) var lastEpoch = -1
    /// The learning rates set by the last step (PyTorch's `get_last_lr()`).
    public private(set) var lastLR: [Double]

    /// A scheduler for `optimizer`, starting at epoch 0 with its current rates.
    public init(_ optimizer: any Optimizer) {
        self.optimizer = optimizer
        baseLRs = optimizer.learningRates
        lastLR = baseLRs
        step()
    }

    /// The rates for ``lastEpoch`` given the `current` ones (those of the epoch before).
    /// Subclasses override this; the base keeps the rates as they are.
    open func learningRates(current: [Double]) -> [Double] { current }

    /// Moves to the next epoch and sets the optimizer's learning rates for it.
    public func step() {
        lastEpoch += 1
        let rates = learningRates(current: optimizer.learningRates)
        optimizer.learningRates = rates
        lastLR = rates
    }
}

/// Multiplies the learning rates by `gamma` every `stepSize` epochs.
public final class StepLR: LRScheduler {
    /// Epochs between decays.
    public let stepSize: Int
    /// Multiplicative factor of each decay.
    public let gamma: Double

    /// A step decay; `stepSize` must be positive.
    public init(_ optimizer: any Optimizer, stepSize: Int, gamma: Double = 0.1) throws {
        guard stepSize > 0 else { throw TorchError(.invalidArgument, "StepLR: step_size must be positive, got \(stepSize)") }
        self.stepSize = stepSize
        self.gamma = gamma
        super.init(optimizer)
    }

    /// `current * gamma` at multiples of `stepSize`, else `current`.
    public override func learningRates(current: [Double]) -> [Double] {
        lastEpoch == 0 || lastEpoch % stepSize != 0 ? current : current.map { $0 * gamma }
    }
}

/// Multiplies the learning rates by `gamma` every epoch.
public final class ExponentialLR: LRScheduler {
    /// Multiplicative factor per epoch.
    public let gamma: Double

    /// An exponential decay.
    public init(_ optimizer: any Optimizer, gamma: Double) {
        self.gamma = gamma
        super.init(optimizer)
    }

    /// `current * gamma` (after epoch 0).
    public override func learningRates(current: [Double]) -> [Double] {
        lastEpoch == 0 ? current : current.map { $0 * gamma }
    }
}

/// Anneals each learning rate from its base value to `etaMin` along half a cosine over
/// `tMax` epochs, then back up (SGDR without restarts), with PyTorch's recursive formula.
public final class CosineAnnealingLR: LRScheduler {
    /// Epochs in half a period.
    public let tMax: Int
    /// The smallest learning rate.
    public let etaMin: Double

    /// A cosine schedule; `tMax` must be positive.
    public init(_ optimizer: any Optimizer, tMax: Int, etaMin: Double = 0) throws {
        guard tMax > 0 else { throw TorchError(.invalidArgument, "CosineAnnealingLR: T_max must be positive, got \(tMax)") }
        self.tMax = tMax
        self.etaMin = etaMin
        super.init(optimizer)
    }

    /// The next point of the cosine, computed from the current rate.
    public override func learningRates(current: [Double]) -> [Double] {
        let e = Double(lastEpoch), t = Double(tMax)
        if lastEpoch == 0 { return current }
        if (lastEpoch - 1 - tMax) % (2 * tMax) == 0 {
            // Leaving the minimum: the ratio form below would divide by 1 + cos(π) = 0.
            return zip(current, baseLRs).map { lr, base in lr + (base - etaMin) * (1 - cos(Double.pi / t)) / 2 }
        }
        let ratio = (1 + cos(Double.pi * e / t)) / (1 + cos(Double.pi * (e - 1) / t))
        return current.map { ratio * ($0 - etaMin) + etaMin }
    }
}
