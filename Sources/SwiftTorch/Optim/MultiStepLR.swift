import Foundation
import SwiftTorchCore

/// Multiplies the learning rates by `gamma` at each milestone epoch, as PyTorch's
/// `MultiStepLR`; a milestone listed twice decays twice (PyTorch counts them).
public final class MultiStepLR: LRScheduler {
    /// The milestone epochs, sorted, repeats kept.
    public private(set) var milestones: [Int]
    /// Multiplicative factor of each decay.
    public private(set) var gamma: Double

    /// Decays by `gamma` at each of `milestones` (any order).
    public init(_ optimizer: any Optimizer, milestones: [Int], gamma: Double = 0.1) throws {
        self.milestones = milestones.sorted()
        self.gamma = gamma
        try super.init(optimizer)
    }

    /// `current * gamma^k` where the epoch is a milestone `k` times, else `current`.
    public override func learningRates(current: [Double]) -> [Double] {
        let repeats = milestones.count(where: { $0 == lastEpoch })
        return repeats == 0 ? current : current.map { $0 * Foundation.pow(gamma, Double(repeats)) }
    }

    /// `base * gamma^(milestones passed)`.
    public override func closedFormLearningRates() -> [Double]? {
        let passed = milestones.count(where: { $0 <= lastEpoch })
        return baseLRs.map { $0 * Foundation.pow(gamma, Double(passed)) }
    }

    /// The base entries with `gamma` and `milestones` (PyTorch's `Counter`: milestone to repeats).
    public override func stateDict() -> [String: StateValue] {
        let counts = Dictionary(milestones.map { (String($0), 1) }, uniquingKeysWith: +)
        return super.stateDict().merging(["gamma": .number(gamma), "milestones": .dictionary(counts.mapValues(StateValue.int))]) { $1 }
    }

    /// Restores the counters, `gamma` and `milestones`.
    public override func loadStateDict(_ state: [String: StateValue]) throws {
        let owner = "MultiStepLR.loadStateDict"
        let gamma = try state.number("gamma", owner)
        guard case .dictionary(let counts) = try state.value("milestones", owner) else {
            throw TorchError(.invalidArgument, "\(owner): 'milestones' must map each milestone epoch to its count")
        }
        var milestones: [Int] = []
        for (key, _) in counts {
            guard let epoch = Int(key) else { throw TorchError(.invalidArgument, "\(owner): milestone '\(key)' is not a whole number") }
            milestones += Array(repeating: epoch, count: try counts.int(key, owner))
        }
        try super.loadStateDict(state)
        (self.gamma, self.milestones) = (gamma, milestones.sorted())
    }
}
