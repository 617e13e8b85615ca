import Foundation
import SwiftTorchCore

/// The 1cycle policy, as PyTorch's `OneCycleLR`: the learning rate rises from
/// `maxLR / divFactor` to `maxLR` over the first `pctStart` of the steps, then falls to
/// `initial / finalDivFactor`; momentum (SGD, RMSprop) or Adam's first beta moves the other
/// way, between `maxMomentum` and `baseMomentum`. Step it after every batch, not every
/// epoch; stepping past `totalSteps` throws.
///
/// <!-- snippet: one-cycle-lr -->
/// ```swift
/// let scheduler = try OneCycleLR(optimizer, maxLR: 0.1, epochs: 10, stepsPerEpoch: loader.count)
/// ```
public final class OneCycleLR: LRScheduler {
    /// How the rate moves within a phase.
    public enum AnnealStrategy: String, Sendable {
        /// Half a cosine from start to end.
        case cos
        /// A straight line from start to end.
        case linear
    }

    /// Where a phase starts or ends: one of each group's four rates or two momenta.
    enum Level: String {
        case initialLR = "initial_lr", maxLR = "max_lr", minLR = "min_lr"
        case maxMomentum = "max_momentum", baseMomentum = "base_momentum"
    }

    /// One phase of the cycle, as PyTorch's `_schedule_phases` entries.
    struct Phase {
        var endStep: Double
        var startLR: Level, endLR: Level, startMomentum: Level, endMomentum: Level
    }

    /// Steps in the whole cycle.
    public private(set) var totalSteps: Int
    /// How rates and momenta move within a phase.
    public private(set) var annealStrategy: AnnealStrategy
    /// Whether momentum (or Adam's first beta) cycles against the rate.
    public private(set) var cycleMomentum: Bool
    /// Whether the cycled momentum is Adam's `betas.0` rather than `momentum`.
    public private(set) var usesBeta1: Bool
    private var phases: [Phase]
    /// Per group: the peak, the final rate and the two momentum bounds (PyTorch keeps them
    /// in the optimizer's groups; here the scheduler holds them and saves them in its state).
    private var levels: [[Level: Double]]

    /// A one-cycle schedule for every group up to `maxLR`, over `totalSteps` steps or over
    /// `epochs * stepsPerEpoch` steps.
    public convenience init(_ optimizer: any Optimizer, maxLR: Double, totalSteps: Int? = nil, epochs: Int? = nil,
                            stepsPerEpoch: Int? = nil, pctStart: Double = 0.3, annealStrategy: AnnealStrategy = .cos,
                            cycleMomentum: Bool = true, baseMomentum: Double = 0.85, maxMomentum: Double = 0.95,
                            divFactor: Double = 25, finalDivFactor: Double = 1e4, threePhase: Bool = false) throws {
        try self.init(optimizer, maxLRs: Array(repeating: maxLR, count: optimizer.learningRates.count), totalSteps: totalSteps,
                      epochs: epochs, stepsPerEpoch: stepsPerEpoch, pctStart: pctStart, annealStrategy: annealStrategy,
                      cycleMomentum: cycleMomentum, baseMomentum: baseMomentum, maxMomentum: maxMomentum,
                      divFactor: divFactor, finalDivFactor: finalDivFactor, threePhase: threePhase)
    }

    /// A one-cycle schedule with a peak rate per group.
    public init(_ optimizer: any Optimizer, maxLRs: [Double], totalSteps: Int? = nil, epochs: Int? = nil,
                stepsPerEpoch: Int? = nil, pctStart: Double = 0.3, annealStrategy: AnnealStrategy = .cos,
                cycleMomentum: Bool = true, baseMomentum: Double = 0.85, maxMomentum: Double = 0.95,
                divFactor: Double = 25, finalDivFactor: Double = 1e4, threePhase: Bool = false) throws {
        let total: Int
        if let totalSteps {
            guard totalSteps > 0 else { throw TorchError(.invalidArgument, "OneCycleLR: Expected positive integer total_steps, but got \(totalSteps)") }
            total = totalSteps
        } else if let epochs, let stepsPerEpoch {
            guard epochs > 0 else { throw TorchError(.invalidArgument, "OneCycleLR: Expected positive integer epochs, but got \(epochs)") }
            guard stepsPerEpoch > 0 else {
                throw TorchError(.invalidArgument, "OneCycleLR: Expected positive integer steps_per_epoch, but got \(stepsPerEpoch)")
            }
            guard case (let product, false) = epochs.multipliedReportingOverflow(by: stepsPerEpoch) else {
                throw TorchError(.invalidArgument, "OneCycleLR: epochs (\(epochs)) times steps_per_epoch (\(stepsPerEpoch)) overflows")
            }
            total = product
        } else {
            throw TorchError(.invalidArgument, "OneCycleLR: You must define either total_steps OR (epochs AND steps_per_epoch)")
        }
        guard pctStart >= 0, pctStart <= 1 else {
            throw TorchError(.invalidArgument, "OneCycleLR: Expected float between 0 and 1 pct_start, but got \(pctStart)")
        }
        let groups = optimizer.learningRates.count
        guard maxLRs.count == groups else {
            throw TorchError(.invalidArgument, "OneCycleLR: expected \(groups) values for max_lr, got \(maxLRs.count)")
        }
        let firstGroup = groups > 0 ? optimizer.paramGroupValues(0) : [:]
        let usesBeta1 = firstGroup["betas"] != nil
        if cycleMomentum, !usesBeta1, firstGroup["momentum"] == nil {
            throw TorchError(.invalidArgument, "OneCycleLR: optimizer must support momentum or beta1 with `cycle_momentum` option enabled (\(type(of: optimizer)) has neither)")
        }
        let t = Double(total)
        phases = threePhase ? [
            Phase(endStep: pctStart * t - 1, startLR: .initialLR, endLR: .maxLR, startMomentum: .maxMomentum, endMomentum: .baseMomentum),
            Phase(endStep: 2 * pctStart * t - 2, startLR: .maxLR, endLR: .initialLR, startMomentum: .baseMomentum, endMomentum: .maxMomentum),
            Phase(endStep: t - 1, startLR: .initialLR, endLR: .minLR, startMomentum: .maxMomentum, endMomentum: .maxMomentum),
        ] : [
            Phase(endStep: pctStart * t - 1, startLR: .initialLR, endLR: .maxLR, startMomentum: .maxMomentum, endMomentum: .baseMomentum),
            Phase(endStep: t - 1, startLR: .maxLR, endLR: .minLR, startMomentum: .baseMomentum, endMomentum: .maxMomentum),
        ]
        levels = maxLRs.map { maxLR in
            let initial = maxLR / divFactor
            return [.initialLR: initial, .maxLR: maxLR, .minLR: initial / finalDivFactor,
                    .maxMomentum: maxMomentum, .baseMomentum: baseMomentum]
        }
        self.totalSteps = total
        self.annealStrategy = annealStrategy
        self.cycleMomentum = cycleMomentum
        self.usesBeta1 = usesBeta1
        // The cycle's start is the groups' initial rate, whatever they had (PyTorch overwrites it).
        for (i, level) in levels.enumerated() { optimizer.setInitialLR(level[.initialLR]!, group: i) }
        if cycleMomentum {
            for i in 0..<groups { try OneCycleLR.setMomentum(maxMomentum, group: i, of: optimizer, beta1: usesBeta1) }
        }
        try super.init(optimizer)
    }

    private static func setMomentum(_ value: Double, group: Int, of optimizer: any Optimizer, beta1: Bool) throws {
        if beta1 {
            let betas = try optimizer.paramGroupValues(group).numbers("betas", "OneCycleLR")
            try optimizer.setParamGroupValue("betas", .numbers([value] + betas.dropFirst()), group: group)
        } else {
            try optimizer.setParamGroupValue("momentum", .number(value), group: group)
        }
    }

    private func anneal(_ start: Double, _ end: Double, _ pct: Double) -> Double {
        switch annealStrategy {
        case .cos: end + (start - end) / 2.0 * (cos(Double.pi * pct) + 1)
        case .linear: (end - start) * pct + start
        }
    }

    /// The rate of the current step within its phase; sets the momenta as a side effect,
    /// as PyTorch's `get_lr` does.
    public override func learningRates(current: [Double]) throws -> [Double] {
        guard lastEpoch <= totalSteps else {
            throw TorchError(.invalidArgument, "OneCycleLR: Tried to step \(lastEpoch) times. The specified number of total steps is \(totalSteps)")
        }
        let step = Double(lastEpoch)
        return try levels.enumerated().map { group, level in
            var start = 0.0
            for (i, phase) in phases.enumerated() {
                if step <= phase.endStep || i == phases.count - 1 {
                    let pct = (step - start) / (phase.endStep - start)
                    if cycleMomentum {
                        let momentum = anneal(level[phase.startMomentum]!, level[phase.endMomentum]!, pct)
                        try OneCycleLR.setMomentum(momentum, group: group, of: optimizer, beta1: usesBeta1)
                    }
                    return anneal(level[phase.startLR]!, level[phase.endLR]!, pct)
                }
                start = phase.endStep
            }
            return current[group]
        }
    }

    /// The base entries with `total_steps`, `_schedule_phases`, `_anneal_func_type`,
    /// `cycle_momentum`, `use_beta1` and, per group, `max_lrs`, `min_lrs`, `max_momentums`
    /// and `base_momentums` (which PyTorch keeps in the optimizer's groups).
    public override func stateDict() -> [String: StateValue] {
        let phaseValues: [StateValue] = phases.map { p in
            .dictionary(["end_step": .number(p.endStep), "start_lr": .string(p.startLR.rawValue), "end_lr": .string(p.endLR.rawValue),
                         "start_momentum": .string(p.startMomentum.rawValue), "end_momentum": .string(p.endMomentum.rawValue)])
        }
        func perGroup(_ level: Level) -> StateValue { .numbers(levels.map { $0[level]! }) }
        return super.stateDict().merging([
            "total_steps": .int(totalSteps), "_schedule_phases": .list(phaseValues),
            "_anneal_func_type": .string(annealStrategy.rawValue), "cycle_momentum": .bool(cycleMomentum), "use_beta1": .bool(usesBeta1),
            "initial_lrs": perGroup(.initialLR), "max_lrs": perGroup(.maxLR), "min_lrs": perGroup(.minLR),
            "max_momentums": perGroup(.maxMomentum), "base_momentums": perGroup(.baseMomentum),
        ]) { $1 }
    }

    /// Restores the counters, the phases and the per-group rates and momenta.
    public override func loadStateDict(_ state: [String: StateValue]) throws {
        let owner = "OneCycleLR.loadStateDict"
        let groups = optimizer.learningRates.count
        let total = try state.int("total_steps", owner)
        guard let strategy = AnnealStrategy(rawValue: try state.string("_anneal_func_type", owner)) else {
            throw TorchError(.invalidArgument, "\(owner): _anneal_func_type must be 'cos' or 'linear'")
        }
        guard case .list(let savedPhases) = try state.value("_schedule_phases", owner), !savedPhases.isEmpty else {
            throw TorchError(.invalidArgument, "\(owner): _schedule_phases must be a non-empty list of phases")
        }
        let phases = try savedPhases.map { value -> Phase in
            guard case .dictionary(let p) = value else { throw TorchError(.invalidArgument, "\(owner): a phase must be a dictionary") }
            func level(_ key: String) throws -> Level {
                guard let level = Level(rawValue: try p.string(key, owner)) else {
                    throw TorchError(.invalidArgument, "\(owner): phase entry '\(key)' names no known rate or momentum")
                }
                return level
            }
            return Phase(endStep: try p.number("end_step", owner), startLR: try level("start_lr"), endLR: try level("end_lr"),
                         startMomentum: try level("start_momentum"), endMomentum: try level("end_momentum"))
        }
        let columns: [(Level, String)] = [(.initialLR, "initial_lrs"), (.maxLR, "max_lrs"), (.minLR, "min_lrs"),
                                          (.maxMomentum, "max_momentums"), (.baseMomentum, "base_momentums")]
        var levels = Array(repeating: [Level: Double](), count: groups)
        for (level, key) in columns {
            for (g, value) in try state.numbers(key, owner, count: groups).enumerated() { levels[g][level] = value }
        }
        let cycle = try state.bool("cycle_momentum", owner), beta1 = try state.bool("use_beta1", owner)
        try super.loadStateDict(state)
        (totalSteps, annealStrategy, self.phases, self.levels) = (total, strategy, phases, levels)
        (cycleMomentum, usesBeta1) = (cycle, beta1)
    }
}

extension Optimizer {
    /// Group `group`'s options by PyTorch's names (what schedulers read, as PyTorch's read
    /// `optimizer.param_groups[i]["momentum"]`).
    func paramGroupValues(_ group: Int) -> [String: StateValue] { paramGroups[group].options.stateValues }

    /// Sets one option of group `group` by its PyTorch name.
    func setParamGroupValue(_ key: String, _ value: StateValue, group: Int) throws {
        try paramGroups[group].options.load([key: value], optimizer: optimizerName)
    }

    /// Sets group `group`'s `initialLR`.
    func setInitialLR(_ value: Double, group: Int) { paramGroups[group].initialLR = value }
}
