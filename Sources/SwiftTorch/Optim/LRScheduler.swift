import Foundation
import SwiftTorchCore

/// What every learning-rate scheduler offers, ``ReduceLROnPlateau`` included: the rates it
/// set last, and its state for checkpoints (PyTorch's `state_dict()` / `load_state_dict()`).
public protocol LearningRateSchedule: AnyObject {
    /// The optimizer whose learning rates the scheduler sets.
    var optimizer: any Optimizer { get }
    /// The learning rates set by the last step (PyTorch's `get_last_lr()`).
    var lastLR: [Double] { get }
    /// The scheduler's counters and options by PyTorch's names (`last_epoch`, `base_lrs`, ...).
    func stateDict() -> [String: StateValue]
    /// Restores what ``stateDict()`` returned; checks every entry before changing anything.
    func loadStateDict(_ state: [String: StateValue]) throws
}

/// Changes an optimizer's learning rates once per epoch, as PyTorch's `LRScheduler`.
///
/// Creating a scheduler counts as epoch 0 and leaves the learning rates as they are (except
/// for schedulers that start elsewhere, such as ``LinearLR``); each ``step()`` moves to the
/// next epoch and writes the new rates into the optimizer's groups. Rates are computed from
/// the current ones (PyTorch's chainable form), so schedulers can be combined and the values
/// match PyTorch's to rounding. The base rates are the groups' `initialLR`, set by the first
/// scheduler made for the optimizer, so a second scheduler starts from the same base.
///
/// <!-- snippet: step-lr -->
/// ```swift
/// let scheduler = try StepLR(optimizer, stepSize: 30, gamma: 0.1)
/// for epoch in 0..<100 {
///     try train(epoch)          // zeroGrad, backward and optimizer.step() per batch
///     try scheduler.step()      // the rate times 0.1 at epochs 30, 60 and 90
/// }
/// ```
open class LRScheduler: LearningRateSchedule {
    /// The optimizer whose learning rates this scheduler sets.
    public let optimizer: any Optimizer
    /// Each group's initial learning rate, the base of closed-form schedules.
    public internal(set) var baseLRs: [Double]
    /// The epoch the current rates belong to (0 after creation).
    public internal(set) var lastEpoch = -1
    /// The learning rates set by the last step (PyTorch's `get_last_lr()`).
    public internal(set) var lastLR: [Double]

    /// A scheduler for `optimizer`, starting at epoch 0.
    public init(_ optimizer: any Optimizer) throws {
        self.optimizer = optimizer
        optimizer.setUnsetInitialLearningRates()
        baseLRs = optimizer.initialLearningRates
        lastLR = optimizer.learningRates
        try initialStep()
    }

    /// The step that creation takes, to epoch 0. ``SequentialLR`` overrides it.
    open func initialStep() throws { try step() }

    /// The rates for ``lastEpoch`` given the `current` ones (those of the epoch before).
    /// Subclasses override this; the base keeps the rates as they are.
    open func learningRates(current: [Double]) throws -> [Double] { current }

    /// The rates at ``lastEpoch`` computed from ``baseLRs`` alone, for schedulers that have
    /// such a formula (PyTorch's `_get_closed_form_lr`); ``SequentialLR`` starts a scheduler
    /// at epoch 0 with it. Nil where there is none.
    open func closedFormLearningRates() -> [Double]? { nil }

    /// Moves to the next epoch and sets the optimizer's learning rates for it.
    open func step() throws {
        lastEpoch += 1
        try apply(learningRates(current: optimizer.learningRates))
    }

    /// Jumps to `epoch` (PyTorch's deprecated `step(epoch)`), with the closed form if any.
    func jump(to epoch: Int) throws {
        lastEpoch = epoch
        try apply(closedFormLearningRates() ?? learningRates(current: optimizer.learningRates))
    }

    /// Takes back the epoch counted by creation (``SequentialLR`` restarts its schedulers).
    func undoInitialStep() { lastEpoch -= 1 }

    /// Writes `rates` into the optimizer's groups and remembers them.
    func apply(_ rates: [Double]) throws {
        let groups = optimizer.learningRates.count
        guard rates.count == groups else {
            throw TorchError(.invalidArgument, "\(type(of: self)): computed \(rates.count) learning rates for \(groups) parameter groups; was a group added after the scheduler was made?")
        }
        optimizer.learningRates = rates
        lastLR = rates
    }

    /// `base_lrs`, `last_epoch` and `_last_lr`, plus each subclass's options, by PyTorch's names.
    open func stateDict() -> [String: StateValue] {
        ["base_lrs": .numbers(baseLRs), "last_epoch": .int(lastEpoch), "_last_lr": .numbers(lastLR)]
    }

    /// Restores ``stateDict()``'s values, which must have one rate per parameter group.
    /// Subclasses read their own entries first, then call this, so nothing changes on error.
    open func loadStateDict(_ state: [String: StateValue]) throws {
        let owner = "\(type(of: self)).loadStateDict"
        let groups = optimizer.learningRates.count
        let base = try state.numbers("base_lrs", owner, count: groups)
        let epoch = try state.int("last_epoch", owner)
        let last = try state.numbers("_last_lr", owner, count: groups)
        baseLRs = base
        lastEpoch = epoch
        lastLR = last
    }
}

extension Optimizer {
    /// Each group's `initialLR` (its learning rate when none is set yet).
    var initialLearningRates: [Double] { paramGroups.map { $0.initialLR ?? $0.lr } }

    /// Sets `initialLR` to the current rate in the groups that have none (PyTorch's
    /// `group.setdefault("initial_lr", group["lr"])`).
    func setUnsetInitialLearningRates() {
        for i in paramGroups.indices where paramGroups[i].initialLR == nil { paramGroups[i].initialLR = paramGroups[i].lr }
    }
}

/// Multiplies the learning rates by `gamma` every `stepSize` epochs.
public final class StepLR: LRScheduler {
    /// Epochs between decays.
    public private(set) var stepSize: Int
    /// Multiplicative factor of each decay.
    public private(set) var gamma: Double

    /// A step decay; `stepSize` must be positive.
    public init(_ optimizer: any Optimizer, stepSize: Int, gamma: Double = 0.1) throws {
        guard stepSize > 0 else { throw TorchError(.invalidArgument, "StepLR: step_size must be positive, got \(stepSize)") }
        self.stepSize = stepSize
        self.gamma = gamma
        try super.init(optimizer)
    }

    /// `current * gamma` at multiples of `stepSize`, else `current`.
    public override func learningRates(current: [Double]) -> [Double] {
        lastEpoch == 0 || lastEpoch % stepSize != 0 ? current : current.map { $0 * gamma }
    }

    /// `base * gamma^(epoch / stepSize)`.
    public override func closedFormLearningRates() -> [Double]? {
        baseLRs.map { $0 * Foundation.pow(gamma, Double(lastEpoch / stepSize)) }
    }

    /// The base entries with `step_size` and `gamma`.
    public override func stateDict() -> [String: StateValue] {
        super.stateDict().merging(["step_size": .int(stepSize), "gamma": .number(gamma)]) { $1 }
    }

    /// Restores the counters, `step_size` and `gamma`.
    public override func loadStateDict(_ state: [String: StateValue]) throws {
        let stepSize = try state.int("step_size", "StepLR.loadStateDict"), gamma = try state.number("gamma", "StepLR.loadStateDict")
        guard stepSize > 0 else { throw TorchError(.invalidArgument, "StepLR.loadStateDict: step_size must be positive, got \(stepSize)") }
        try super.loadStateDict(state)
        (self.stepSize, self.gamma) = (stepSize, gamma)
    }
}

/// Multiplies the learning rates by `gamma` every epoch.
public final class ExponentialLR: LRScheduler {
    /// Multiplicative factor per epoch.
    public private(set) var gamma: Double

    /// An exponential decay.
    public init(_ optimizer: any Optimizer, gamma: Double) throws {
        self.gamma = gamma
        try super.init(optimizer)
    }

    /// `current * gamma` (after epoch 0).
    public override func learningRates(current: [Double]) -> [Double] {
        lastEpoch == 0 ? current : current.map { $0 * gamma }
    }

    /// `base * gamma^epoch`.
    public override func closedFormLearningRates() -> [Double]? {
        baseLRs.map { $0 * Foundation.pow(gamma, Double(lastEpoch)) }
    }

    /// The base entries with `gamma`.
    public override func stateDict() -> [String: StateValue] {
        super.stateDict().merging(["gamma": .number(gamma)]) { $1 }
    }

    /// Restores the counters and `gamma`.
    public override func loadStateDict(_ state: [String: StateValue]) throws {
        let gamma = try state.number("gamma", "ExponentialLR.loadStateDict")
        try super.loadStateDict(state)
        self.gamma = gamma
    }
}

/// Anneals each learning rate from its base value to `etaMin` along half a cosine over
/// `tMax` epochs, then back up (SGDR without restarts), with PyTorch's recursive formula.
public final class CosineAnnealingLR: LRScheduler {
    /// Epochs in half a period.
    public private(set) var tMax: Int
    /// The smallest learning rate.
    public private(set) var etaMin: Double

    /// A cosine schedule; `tMax` must be positive.
    public init(_ optimizer: any Optimizer, tMax: Int, etaMin: Double = 0) throws {
        guard tMax > 0 else { throw TorchError(.invalidArgument, "CosineAnnealingLR: T_max must be positive, got \(tMax)") }
        self.tMax = tMax
        self.etaMin = etaMin
        try super.init(optimizer)
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

    /// `etaMin + (base - etaMin) (1 + cos(π epoch / tMax)) / 2`.
    public override func closedFormLearningRates() -> [Double]? {
        baseLRs.map { etaMin + ($0 - etaMin) * (1 + cos(Double.pi * Double(lastEpoch) / Double(tMax))) / 2 }
    }

    /// The base entries with `T_max` and `eta_min`.
    public override func stateDict() -> [String: StateValue] {
        super.stateDict().merging(["T_max": .int(tMax), "eta_min": .number(etaMin)]) { $1 }
    }

    /// Restores the counters, `T_max` and `eta_min`.
    public override func loadStateDict(_ state: [String: StateValue]) throws {
        let owner = "CosineAnnealingLR.loadStateDict"
        let tMax = try state.int("T_max", owner), etaMin = try state.number("eta_min", owner)
        guard tMax > 0 else { throw TorchError(.invalidArgument, "\(owner): T_max must be positive, got \(tMax)") }
        try super.loadStateDict(state)
        (self.tMax, self.etaMin) = (tMax, etaMin)
    }
}
