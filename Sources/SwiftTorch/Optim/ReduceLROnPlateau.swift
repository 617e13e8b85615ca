import SwiftTorchCore

/// Lowers the learning rates when a metric stops improving, as PyTorch's `ReduceLROnPlateau`:
/// after more than `patience` epochs without a new best value, each rate becomes
/// `max(rate * factor, minLR)` (unless that changes it by `eps` or less), then `cooldown`
/// epochs pass before bad epochs count again.
///
/// <!-- snippet: reduce-lr-on-plateau -->
/// ```swift
/// let scheduler = try ReduceLROnPlateau(optimizer, mode: .min, factor: 0.5, patience: 2)
/// for epoch in 1...epochs {
///     try train(epoch)
///     try scheduler.step(validate())   // the validation loss
/// }
/// ```
public final class ReduceLROnPlateau: LearningRateSchedule {
    /// Whether the metric should fall (a loss) or rise (an accuracy).
    public enum Mode: String, Sendable {
        /// Lower is better (a loss).
        case min
        /// Higher is better (an accuracy).
        case max
    }

    /// Whether `threshold` is a fraction of the best value or an absolute amount.
    public enum ThresholdMode: String, Sendable {
        /// A new best must beat the old by `threshold` times its size.
        case rel
        /// A new best must beat the old by `threshold`.
        case abs
    }

    /// The optimizer whose learning rates this scheduler lowers.
    public let optimizer: any Optimizer
    /// Whether lower or higher metrics are better.
    public private(set) var mode: Mode
    /// The factor each reduction multiplies a rate by, below 1.
    public private(set) var factor: Double
    /// Bad epochs tolerated before a reduction.
    public private(set) var patience: Int
    /// How much better than the best a value must be to count as a new best.
    public private(set) var threshold: Double
    /// How `threshold` applies.
    public private(set) var thresholdMode: ThresholdMode
    /// Epochs after a reduction during which bad epochs do not count.
    public private(set) var cooldown: Int
    /// Each group's lowest learning rate.
    public private(set) var minLRs: [Double]
    /// The single floor given for all groups, reused if groups are added; nil when per group.
    private var defaultMinLR: Double?
    /// The smallest change worth making to a rate.
    public private(set) var eps: Double
    /// The best metric so far (infinity, of the worse sign, before the first).
    public private(set) var best: Double
    /// Consecutive epochs without a new best.
    public private(set) var numBadEpochs = 0
    /// Epochs of cooldown left.
    public private(set) var cooldownCounter = 0
    /// Steps taken.
    public private(set) var lastEpoch = 0
    /// The learning rates after the last step.
    public private(set) var lastLR: [Double]

    /// A plateau scheduler with one floor, `minLR`, for every group; PyTorch's defaults.
    public convenience init(_ optimizer: any Optimizer, mode: Mode = .min, factor: Double = 0.1, patience: Int = 10,
                            threshold: Double = 1e-4, thresholdMode: ThresholdMode = .rel, cooldown: Int = 0,
                            minLR: Double = 0, eps: Double = 1e-8) throws {
        try self.init(optimizer, mode: mode, factor: factor, patience: patience, threshold: threshold,
                      thresholdMode: thresholdMode, cooldown: cooldown, minLRs: nil, defaultMinLR: minLR, eps: eps)
    }

    /// A plateau scheduler with a floor per group.
    public convenience init(_ optimizer: any Optimizer, mode: Mode = .min, factor: Double = 0.1, patience: Int = 10,
                            threshold: Double = 1e-4, thresholdMode: ThresholdMode = .rel, cooldown: Int = 0,
                            minLRs: [Double], eps: Double = 1e-8) throws {
        try self.init(optimizer, mode: mode, factor: factor, patience: patience, threshold: threshold,
                      thresholdMode: thresholdMode, cooldown: cooldown, minLRs: minLRs, defaultMinLR: nil, eps: eps)
    }

    private init(_ optimizer: any Optimizer, mode: Mode, factor: Double, patience: Int, threshold: Double,
                 thresholdMode: ThresholdMode, cooldown: Int, minLRs: [Double]?, defaultMinLR: Double?, eps: Double) throws {
        guard factor < 1 else { throw TorchError(.invalidArgument, "ReduceLROnPlateau: Factor should be < 1.0, got \(factor)") }
        guard patience >= 0, cooldown >= 0 else {
            throw TorchError(.invalidArgument, "ReduceLROnPlateau: patience (\(patience)) and cooldown (\(cooldown)) must not be negative")
        }
        let groups = optimizer.learningRates.count
        if let minLRs, minLRs.count != groups {
            throw TorchError(.invalidArgument, "ReduceLROnPlateau: expected \(groups) min_lrs, got \(minLRs.count)")
        }
        self.optimizer = optimizer
        self.mode = mode
        self.factor = factor
        self.patience = patience
        self.threshold = threshold
        self.thresholdMode = thresholdMode
        self.cooldown = cooldown
        self.minLRs = minLRs ?? Array(repeating: defaultMinLR ?? 0, count: groups)
        self.defaultMinLR = defaultMinLR
        self.eps = eps
        best = ReduceLROnPlateau.worst(mode)
        lastLR = optimizer.learningRates
    }

    private static func worst(_ mode: Mode) -> Double { mode == .min ? .infinity : -.infinity }

    /// Whether `value` beats `best` by the threshold.
    private func isBetter(_ value: Double) -> Bool {
        switch (mode, thresholdMode) {
        case (.min, .rel): value < best * (1 - threshold)
        case (.min, .abs): value < best - threshold
        case (.max, .rel): value > best * (threshold + 1)
        case (.max, .abs): value > best + threshold
        }
    }

    /// Ends an epoch whose metric was `metric`, lowering the rates after too many bad epochs.
    public func step(_ metric: Double) throws {
        lastEpoch += 1
        if isBetter(metric) {
            best = metric
            numBadEpochs = 0
        } else {
            numBadEpochs += 1
        }
        if cooldownCounter > 0 {
            cooldownCounter -= 1
            numBadEpochs = 0  // bad epochs in cooldown do not count
        }
        if numBadEpochs > patience {
            try reduceLearningRates()
            cooldownCounter = cooldown
            numBadEpochs = 0
        }
        lastLR = optimizer.learningRates
    }

    /// Ends an epoch whose metric is the one-element tensor `metric` (a loss, say).
    public func step(_ metric: Tensor) throws { try step(try metric.item()) }

    private func reduceLearningRates() throws {
        var rates = optimizer.learningRates
        if rates.count != minLRs.count {
            guard let defaultMinLR else {
                throw TorchError(.invalidArgument, "ReduceLROnPlateau: The number of param groups in the optimizer (\(rates.count)) differs from when ReduceLROnPlateau was initialized (\(minLRs.count)), usually due to a new param group being added to the optimizer; set minLRs to match")
            }
            minLRs = Array(repeating: defaultMinLR, count: rates.count)
        }
        for i in rates.indices {
            let reduced = Swift.max(rates[i] * factor, minLRs[i])
            if rates[i] - reduced > eps { rates[i] = reduced }
        }
        optimizer.learningRates = rates
    }

    /// Every option and counter by PyTorch's names (`best`, `num_bad_epochs`, `cooldown_counter`, ...).
    public func stateDict() -> [String: StateValue] {
        ["mode": .string(mode.rawValue), "factor": .number(factor), "patience": .int(patience), "threshold": .number(threshold),
         "threshold_mode": .string(thresholdMode.rawValue), "cooldown": .int(cooldown), "min_lrs": .numbers(minLRs),
         "default_min_lr": defaultMinLR.map(StateValue.number) ?? .null, "eps": .number(eps), "best": .number(best),
         "num_bad_epochs": .int(numBadEpochs), "cooldown_counter": .int(cooldownCounter), "last_epoch": .int(lastEpoch),
         "mode_worse": .number(ReduceLROnPlateau.worst(mode)), "_last_lr": .numbers(lastLR)]
    }

    /// Restores every option and counter; nothing changes if an entry is missing or wrong.
    public func loadStateDict(_ state: [String: StateValue]) throws {
        let owner = "ReduceLROnPlateau.loadStateDict"
        guard let mode = Mode(rawValue: try state.string("mode", owner)) else {
            throw TorchError(.invalidArgument, "\(owner): mode must be 'min' or 'max'")
        }
        guard let thresholdMode = ThresholdMode(rawValue: try state.string("threshold_mode", owner)) else {
            throw TorchError(.invalidArgument, "\(owner): threshold_mode must be 'rel' or 'abs'")
        }
        let defaultMinLR: Double? = state["default_min_lr"] == .null || state["default_min_lr"] == nil
            ? nil : try state.number("default_min_lr", owner)
        let values = (factor: try state.number("factor", owner), patience: try state.int("patience", owner),
                      threshold: try state.number("threshold", owner), cooldown: try state.int("cooldown", owner),
                      minLRs: try state.numbers("min_lrs", owner), eps: try state.number("eps", owner),
                      best: try state.number("best", owner), bad: try state.int("num_bad_epochs", owner),
                      counter: try state.int("cooldown_counter", owner), epoch: try state.int("last_epoch", owner),
                      lastLR: try state.numbers("_last_lr", owner))
        (self.mode, self.thresholdMode, self.defaultMinLR) = (mode, thresholdMode, defaultMinLR)
        (factor, patience, threshold, cooldown) = (values.factor, values.patience, values.threshold, values.cooldown)
        (minLRs, eps, best, numBadEpochs) = (values.minLRs, values.eps, values.best, values.bad)
        (cooldownCounter, lastEpoch, lastLR) = (values.counter, values.epoch, values.lastLR)
    }
}
