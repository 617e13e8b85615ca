import SwiftTorchCore

/// Scales the learning rates by a factor that moves linearly from `startFactor` to
/// `endFactor` over `totalIters` epochs, then stays, as PyTorch's `LinearLR`: a warm-up
/// (`startFactor` below 1) or a linear decay (`endFactor` below 1).
public final class LinearLR: LRScheduler {
    /// The factor at epoch 0, in (0, 1].
    public private(set) var startFactor: Double
    /// The factor from `totalIters` on, in [0, 1].
    public private(set) var endFactor: Double
    /// Epochs the factor takes to reach `endFactor`.
    public private(set) var totalIters: Int

    /// A linear change of the rates' factor; PyTorch's defaults (a third to one over 5 epochs).
    public init(_ optimizer: any Optimizer, startFactor: Double = 1.0 / 3, endFactor: Double = 1, totalIters: Int = 5) throws {
        try LinearLR.validate(startFactor, endFactor, totalIters, "LinearLR")
        self.startFactor = startFactor
        self.endFactor = endFactor
        self.totalIters = totalIters
        try super.init(optimizer)
    }

    private static func validate(_ start: Double, _ end: Double, _ total: Int, _ owner: String) throws {
        guard start > 0, start <= 1 else {
            throw TorchError(.invalidArgument, "\(owner): Starting multiplicative factor expected to be greater than 0 and less or equal to 1, got \(start)")
        }
        guard end >= 0, end <= 1 else {
            throw TorchError(.invalidArgument, "\(owner): Ending multiplicative factor expected to be between 0 and 1, got \(end)")
        }
        guard total >= 1 else { throw TorchError(.invalidArgument, "\(owner): total_iters must be at least 1, got \(total)") }
    }

    /// `current * startFactor` at epoch 0, then the ratio of consecutive factors until `totalIters`.
    public override func learningRates(current: [Double]) -> [Double] {
        if lastEpoch == 0 { return current.map { $0 * startFactor } }
        if lastEpoch > totalIters { return current }
        let change = endFactor - startFactor
        // PyTorch's chainable form: the ratio of this epoch's factor to the last one's.
        let ratio = 1.0 + change / (Double(totalIters) * startFactor + Double(lastEpoch - 1) * change)
        return current.map { $0 * ratio }
    }

    /// `base * (startFactor + (endFactor - startFactor) * min(totalIters, epoch) / totalIters)`.
    public override func closedFormLearningRates() -> [Double]? {
        baseLRs.map { $0 * (startFactor + (endFactor - startFactor) * Double(Swift.min(totalIters, lastEpoch)) / Double(totalIters)) }
    }

    /// The base entries with `start_factor`, `end_factor` and `total_iters`.
    public override func stateDict() -> [String: StateValue] {
        super.stateDict().merging(["start_factor": .number(startFactor), "end_factor": .number(endFactor),
                                   "total_iters": .int(totalIters)]) { $1 }
    }

    /// Restores the counters and the factors.
    public override func loadStateDict(_ state: [String: StateValue]) throws {
        let owner = "LinearLR.loadStateDict"
        let start = try state.number("start_factor", owner), end = try state.number("end_factor", owner)
        let total = try state.int("total_iters", owner)
        try LinearLR.validate(start, end, total, owner)
        try super.loadStateDict(state)
        (startFactor, endFactor, totalIters) = (start, end, total)
    }
}
