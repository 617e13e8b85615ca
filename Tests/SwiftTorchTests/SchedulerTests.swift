import Foundation
import SwiftTorch
import Testing

// Learning-rate schedulers against PyTorch: `lr-schedules.json` (written by
// make-lr-schedules.py) lists, per case, the learning rate read before each
// `scheduler.step()` (and the momentum, for OneCycleLR), the last one after the last step.

private struct Schedules: Decodable, Sendable {
    struct Options: Decodable, Sendable {
        var step_size: Int?, gamma: Double?, T_max: Int?, eta_min: Double?
        var milestones: [Int]?, start_factor: Double?, end_factor: Double?, total_iters: Int?
        var max_lr: Double?, total_steps: Int?, epochs: Int?, steps_per_epoch: Int?, pct_start: Double?
        var anneal_strategy: String?, cycle_momentum: Bool?, base_momentum: Double?, max_momentum: Double?
        var div_factor: Double?, final_div_factor: Double?, three_phase: Bool?
        var schedulers: [Child]?
        var mode: String?, factor: Double?, patience: Int?, threshold: Double?, threshold_mode: String?
        var cooldown: Int?, min_lr: Double?, eps: Double?
    }
    struct Child: Decodable, Sendable {
        let scheduler: String
        let options: Options
    }
    struct OptimizerSpec: Decodable, Sendable {
        let type: String
        let momentum: Double?
    }
    struct Case: Decodable, Sendable, CustomTestStringConvertible {
        let name: String?
        let scheduler: String
        let options: Options
        let base_lr: Double
        let lr_per_epoch: [Double]
        let optimizer: OptimizerSpec?
        let metrics: [Double]?
        let momentum_per_epoch: [Double]?
        var testDescription: String { name ?? scheduler }
    }
    let cases: [Case]

    static func load() throws -> [Case] {
        let url = try #require(Bundle.module.url(forResource: "lr-schedules", withExtension: "json", subdirectory: "Resources"))
        return try JSONDecoder().decode(Schedules.self, from: Data(contentsOf: url)).cases
    }
}

/// A fixture case's optimizer, scheduler and the way to step it, built afresh.
private struct Run {
    let optimizer: any Optimizer
    let schedule: any LearningRateSchedule
    let step: (Int) throws -> Void
    let momentum: () -> Double

    init(_ c: Schedules.Case) throws {
        let p = try Tensor([0.0]).requiringGrad()
        if c.optimizer?.type == "Adam" {
            let adam = try Adam([p], lr: c.base_lr)
            (optimizer, momentum) = (adam, { adam.paramGroups[0].options.betas.0 })
        } else {
            let sgd = try SGD([p], lr: c.base_lr, momentum: c.optimizer?.momentum ?? 0)
            (optimizer, momentum) = (sgd, { sgd.paramGroups[0].options.momentum })
        }
        if c.scheduler == "ReduceLROnPlateau" {
            let o = c.options, metrics = try #require(c.metrics)
            let plateau = try ReduceLROnPlateau(
                optimizer, mode: ReduceLROnPlateau.Mode(rawValue: o.mode ?? "min")!, factor: o.factor ?? 0.1, patience: o.patience ?? 10,
                threshold: o.threshold ?? 1e-4, thresholdMode: ReduceLROnPlateau.ThresholdMode(rawValue: o.threshold_mode ?? "rel")!,
                cooldown: o.cooldown ?? 0, minLR: o.min_lr ?? 0, eps: o.eps ?? 1e-8)
            (schedule, step) = (plateau, { try plateau.step(metrics[$0]) })
        } else {
            let scheduler = try makeScheduler(c.scheduler, c.options, optimizer)
            (schedule, step) = (scheduler, { _ in try scheduler.step() })
        }
    }
}

private func makeScheduler(_ name: String, _ o: Schedules.Options, _ opt: any Optimizer) throws -> LRScheduler {
    switch name {
    case "StepLR": return try StepLR(opt, stepSize: o.step_size!, gamma: o.gamma!)
    case "ExponentialLR": return try ExponentialLR(opt, gamma: o.gamma!)
    case "CosineAnnealingLR": return try CosineAnnealingLR(opt, tMax: o.T_max!, etaMin: o.eta_min ?? 0)
    case "MultiStepLR": return try MultiStepLR(opt, milestones: o.milestones!, gamma: o.gamma ?? 0.1)
    case "LinearLR":
        return try LinearLR(opt, startFactor: o.start_factor ?? 1.0 / 3, endFactor: o.end_factor ?? 1, totalIters: o.total_iters ?? 5)
    case "OneCycleLR":
        return try OneCycleLR(opt, maxLR: o.max_lr!, totalSteps: o.total_steps, epochs: o.epochs, stepsPerEpoch: o.steps_per_epoch,
                              pctStart: o.pct_start ?? 0.3, annealStrategy: OneCycleLR.AnnealStrategy(rawValue: o.anneal_strategy ?? "cos")!,
                              cycleMomentum: o.cycle_momentum ?? true, baseMomentum: o.base_momentum ?? 0.85,
                              maxMomentum: o.max_momentum ?? 0.95, divFactor: o.div_factor ?? 25,
                              finalDivFactor: o.final_div_factor ?? 1e4, threePhase: o.three_phase ?? false)
    case "SequentialLR":
        let children = try o.schedulers!.map { try makeScheduler($0.scheduler, $0.options, opt) }
        return try SequentialLR(opt, schedulers: children, milestones: o.milestones!)
    default: throw TorchError(.notImplemented, "fixture names an unknown scheduler \(name)")
    }
}

/// Checks epochs `range` of `c` on `run`, stepping between them.
private func expectSchedule(_ c: Schedules.Case, _ run: Run, epochs range: Range<Int>) throws {
    for epoch in range {
        #expect(Swift.abs(run.optimizer.learningRates[0] - c.lr_per_epoch[epoch]) < 1e-12, "epoch \(epoch)")
        #expect(run.schedule.lastLR == run.optimizer.learningRates, "epoch \(epoch)")
        if let momenta = c.momentum_per_epoch {
            #expect(Swift.abs(run.momentum() - momenta[epoch]) < 1e-12, "momentum at epoch \(epoch)")
        }
        if epoch < c.lr_per_epoch.count - 1 { try run.step(epoch) }
    }
}

private func optimizer(lrs: [Double]) throws -> SGD {
    try SGD(lrs.map { ParamGroup(params: [try Tensor([0.0]).requiringGrad()], lr: $0) })
}

@Suite("LR schedulers give PyTorch's learning rates")
struct SchedulerTests {
    @Test(arguments: try Schedules.load())
    fileprivate func matchesPyTorchPerEpoch(_ c: Schedules.Case) throws {
        try expectSchedule(c, try Run(c), epochs: 0..<c.lr_per_epoch.count)
    }

    /// Halfway through, the optimizer's and the scheduler's state dicts go through JSON into
    /// fresh objects, which then continue PyTorch's sequence.
    @Test(arguments: try Schedules.load())
    fileprivate func resumesFromStateDictsHalfway(_ c: Schedules.Case) throws {
        let half = c.lr_per_epoch.count / 2
        let first = try Run(c)
        for epoch in 0..<half { try first.step(epoch) }
        let schedulerState = try StateValue.parse(try StateValue.json(.dictionary(first.schedule.stateDict())), what: "test")
        guard case .dictionary(let saved) = schedulerState else { Issue.record("not a dictionary"); return }
        let optimizerState = try first.optimizer.stateDict()

        let resumed = try Run(c)
        try resumed.optimizer.loadStateDict(optimizerState)
        try resumed.schedule.loadStateDict(saved)
        #expect(resumed.schedule.lastLR == first.schedule.lastLR)
        try expectSchedule(c, resumed, epochs: half..<c.lr_per_epoch.count)
    }

    @Test func fixtureKeepsTheSharedCasesAndCoversEveryNewScheduler() throws {
        let names = Set(try Schedules.load().map(\.scheduler))
        #expect(names == ["StepLR", "CosineAnnealingLR", "ExponentialLR", "MultiStepLR", "LinearLR", "OneCycleLR", "SequentialLR",
                          "ReduceLROnPlateau"])
    }

    @Test func schedulesEveryGroupFromItsOwnRate() throws {
        let opt = try optimizer(lrs: [0.1, 0.01])
        let scheduler = try StepLR(opt, stepSize: 1, gamma: 0.5)
        #expect(scheduler.baseLRs == [0.1, 0.01])
        try scheduler.step()
        #expect(opt.learningRates == [0.05, 0.005])
    }

    @Test func cosineAnnealingReachesEtaMinAtTMax() throws {
        let opt = try optimizer(lrs: [0.5])
        let scheduler = try CosineAnnealingLR(opt, tMax: 10, etaMin: 0.02)
        for _ in 0..<10 { try scheduler.step() }
        #expect(Swift.abs(opt.learningRates[0] - 0.02) < 1e-15)
        for _ in 0..<10 { try scheduler.step() }
        #expect(Swift.abs(opt.learningRates[0] - 0.5) < 1e-12)
    }

    @Test func chainedSchedulersMultiply() throws {
        let opt = try optimizer(lrs: [0.1])
        let exponential = try ExponentialLR(opt, gamma: 0.9)
        let stepwise = try StepLR(opt, stepSize: 2, gamma: 0.5)
        for _ in 0..<2 {
            try exponential.step()
            try stepwise.step()
        }
        #expect(Swift.abs(opt.learningRates[0] - 0.1 * 0.81 * 0.5) < 1e-15)
    }

    @Test func aSecondSchedulerTakesTheFirstOnesInitialRateAsItsBase() throws {
        let opt = try optimizer(lrs: [0.1])
        _ = try LinearLR(opt, startFactor: 0.5, totalIters: 2)
        #expect(opt.learningRates == [0.05])
        let second = try ExponentialLR(opt, gamma: 0.9)
        #expect(second.baseLRs == [0.1])
        #expect(opt.paramGroups[0].initialLR == 0.1)
    }

    @Test func theOptimizerStepsWithTheScheduledRate() throws {
        let p = try Tensor([1.0], dtype: .float64).requiringGrad()
        let opt = try SGD([p], lr: 1)
        let scheduler = try ExponentialLR(opt, gamma: 0.5)
        try scheduler.step()
        try (p * 1).sum().backward()
        try opt.step()
        #expect(try p.item() == 0.5)
    }

    @Test func rejectsNonPositivePeriods() throws {
        let opt = try optimizer(lrs: [0.1])
        #expect(throws: TorchError.self) { try StepLR(opt, stepSize: 0) }
        #expect(throws: TorchError.self) { try CosineAnnealingLR(opt, tMax: 0) }
    }

    @Test func linearLRRejectsFactorsOutOfRange() throws {
        let opt = try optimizer(lrs: [0.1])
        #expect(throws: TorchError.self) { try LinearLR(opt, startFactor: 0) }
        #expect(throws: TorchError.self) { try LinearLR(opt, startFactor: 1.5) }
        #expect(throws: TorchError.self) { try LinearLR(opt, endFactor: -0.1) }
        #expect(throws: TorchError.self) { try LinearLR(opt, totalIters: 0) }
    }

    @Test func oneCycleThrowsWhenSteppedPastItsTotal() throws {
        let opt = try SGD([try Tensor([0.0]).requiringGrad()], lr: 0.1, momentum: 0.9)
        let scheduler = try OneCycleLR(opt, maxLR: 0.1, totalSteps: 3)
        for _ in 0..<3 { try scheduler.step() }
        let error = try #require(throws: TorchError.self) { try scheduler.step() }
        #expect(error.message.contains("Tried to step 4 times. The specified number of total steps is 3"))
    }

    @Test func oneCycleRejectsBadOptions() throws {
        let opt = try SGD([try Tensor([0.0]).requiringGrad()], lr: 0.1)
        #expect(throws: TorchError.self) { try OneCycleLR(opt, maxLR: 0.1) }  // no total
        #expect(throws: TorchError.self) { try OneCycleLR(opt, maxLR: 0.1, totalSteps: 0) }
        #expect(throws: TorchError.self) { try OneCycleLR(opt, maxLR: 0.1, epochs: 2, stepsPerEpoch: 0) }
        #expect(throws: TorchError.self) { try OneCycleLR(opt, maxLR: 0.1, totalSteps: 10, pctStart: 1.5) }
        #expect(throws: TorchError.self) { try OneCycleLR(opt, maxLRs: [0.1, 0.2], totalSteps: 10) }
    }

    @Test func oneCycleSetsEachGroupsPeak() throws {
        let opt = try optimizer(lrs: [1, 1])
        let scheduler = try OneCycleLR(opt, maxLRs: [0.1, 0.4], totalSteps: 10, pctStart: 0.3, cycleMomentum: false)
        let initial: [Double?] = opt.paramGroups.map(\.initialLR)
        let expected: [Double?] = [0.1 / 25, 0.4 / 25]
        #expect(initial == expected)
        try scheduler.step()
        try scheduler.step()
        #expect(Swift.abs(opt.learningRates[0] - 0.1) < 1e-15)
        #expect(Swift.abs(opt.learningRates[1] - 0.4) < 1e-15)
    }

    @Test func sequentialLRRejectsMismatchedMilestonesAndForeignSchedulers() throws {
        let opt = try optimizer(lrs: [0.1]), other = try optimizer(lrs: [0.1])
        let a = try LinearLR(opt), b = try ExponentialLR(opt, gamma: 0.9), foreign = try ExponentialLR(other, gamma: 0.9)
        #expect(throws: TorchError.self) { try SequentialLR(opt, schedulers: [a, b], milestones: []) }
        #expect(throws: TorchError.self) { try SequentialLR(opt, schedulers: [a, foreign], milestones: [2]) }
        #expect(throws: TorchError.self) { try SequentialLR(opt, schedulers: [], milestones: []) }
        #expect(throws: TorchError.self) { try SequentialLR(opt, schedulers: [a, b, b], milestones: [4, 2]) }
    }

    @Test func plateauLowersEachGroupToItsOwnFloor() throws {
        let opt = try optimizer(lrs: [0.1, 0.01])
        let scheduler = try ReduceLROnPlateau(opt, factor: 0.1, patience: 0, minLRs: [0.05, 0.0001])
        try scheduler.step(1.0)
        try scheduler.step(2.0)  // worse: more than zero bad epochs
        #expect(opt.learningRates == [0.05, 0.001])
        #expect(scheduler.numBadEpochs == 0)
        #expect(scheduler.best == 1.0)
    }

    @Test func plateauRejectsBadOptions() throws {
        let opt = try optimizer(lrs: [0.1])
        #expect(throws: TorchError.self) { try ReduceLROnPlateau(opt, factor: 1.0) }
        #expect(throws: TorchError.self) { try ReduceLROnPlateau(opt, minLRs: [0.1, 0.2]) }
        #expect(throws: TorchError.self) { try ReduceLROnPlateau(opt, patience: -1) }
    }

    @Test func plateauTakesALossTensor() throws {
        let opt = try optimizer(lrs: [0.1])
        let scheduler = try ReduceLROnPlateau(opt, patience: 0)
        try scheduler.step(try Tensor(2.0))
        try scheduler.step(try Tensor(3.0))
        #expect(Swift.abs(opt.learningRates[0] - 0.01) < 1e-15)
        #expect(throws: TorchError.self) { try scheduler.step(try Tensor([1.0, 2.0])) }
    }

    @Test func loadingAStateDictOfAnotherShapeChangesNothing() throws {
        let opt = try optimizer(lrs: [0.1, 0.2])
        let scheduler = try StepLR(opt, stepSize: 2)
        var state = scheduler.stateDict()
        state["base_lrs"] = .numbers([0.1])  // one group, the optimizer has two
        state["step_size"] = .int(5)
        #expect(throws: TorchError.self) { try scheduler.loadStateDict(state) }
        #expect(scheduler.stepSize == 2)
        #expect(throws: TorchError.self) { try scheduler.loadStateDict(["last_epoch": .string("three")]) }
    }

    @Test func stateDictsUsePyTorchsKeys() throws {
        let opt = try optimizer(lrs: [0.1])
        #expect(Set(try StepLR(opt, stepSize: 3).stateDict().keys) == ["step_size", "gamma", "base_lrs", "last_epoch", "_last_lr"])
        let plateau = try ReduceLROnPlateau(opt).stateDict()
        #expect(plateau["best"] == .number(.infinity))
        #expect(plateau["mode"] == .string("min"))
        let sequence = try SequentialLR(opt, schedulers: [try LinearLR(opt), try ExponentialLR(opt, gamma: 0.9)], milestones: [2])
        guard case .list(let children) = sequence.stateDict()["_schedulers"] else { Issue.record("no _schedulers"); return }
        #expect(children.count == 2)
    }
}
