import SwiftTorchCore

/// Runs schedulers one after another, switching at the milestone epochs, as PyTorch's
/// `SequentialLR`: a warm-up followed by a decay, for instance.
///
/// <!-- snippet: sequential-lr -->
/// ```swift
/// let warmUp = try LinearLR(optimizer, startFactor: 0.1, totalIters: 3)
/// let decay = try ExponentialLR(optimizer, gamma: 0.9)
/// let scheduler = try SequentialLR(optimizer, schedulers: [warmUp, decay], milestones: [3])
/// ```
///
/// Making it resets the learning rates to the groups' initial ones and restarts the first
/// scheduler; at each milestone the next scheduler starts at its epoch 0 (from its closed
/// form when it has one, as PyTorch's `step(0)` does).
public final class SequentialLR: LRScheduler {
    /// The schedulers, in the order they run.
    public let schedulers: [LRScheduler]
    /// The epochs at which the next scheduler takes over (one fewer than the schedulers).
    public private(set) var milestones: [Int]

    /// Runs `schedulers` in turn, switching at `milestones` (increasing epochs); all of them
    /// must schedule `optimizer`.
    public init(_ optimizer: any Optimizer, schedulers: [LRScheduler], milestones: [Int]) throws {
        guard !schedulers.isEmpty else {
            throw TorchError(.invalidArgument, "SequentialLR expects at least one scheduler, but got no scheduler")
        }
        if let i = schedulers.firstIndex(where: { $0.optimizer !== optimizer }) {
            throw TorchError(.invalidArgument, "SequentialLR expects all schedulers to belong to the same optimizer, but got scheduler \(type(of: schedulers[i])) at index \(i) with another optimizer")
        }
        guard milestones.count == schedulers.count - 1 else {
            throw TorchError(.invalidArgument, "SequentialLR expects number of schedulers provided to be one more than the number of milestone points, but got number of schedulers \(schedulers.count) and the number of milestones to be equal to \(milestones.count)")
        }
        guard milestones == milestones.sorted() else {
            throw TorchError(.invalidArgument, "SequentialLR: milestones must be increasing, got \(milestones)")
        }
        self.schedulers = schedulers
        self.milestones = milestones
        try super.init(optimizer)
    }

    /// The scheduler that runs at `epoch`: one past the milestones at or before it.
    private func activeIndex(_ epoch: Int) -> Int { milestones.count(where: { $0 <= epoch }) }

    /// Resets the rates to the initial ones, takes back the epoch each scheduler counted when
    /// it was made, and starts the scheduler of epoch 0.
    public override func initialStep() throws {
        optimizer.learningRates = optimizer.initialLearningRates
        undoInitialStep()
        lastEpoch = 0
        let first = schedulers[activeIndex(0)]
        try first.initialStep()
        lastLR = first.lastLR
    }

    /// Nested sequences pass the undo down to their schedulers (PyTorch's `recursive_undo`).
    override func undoInitialStep() {
        for scheduler in schedulers { scheduler.undoInitialStep() }
    }

    /// Steps the scheduler of the new epoch, starting it at its epoch 0 on its milestone.
    public override func step() throws {
        lastEpoch += 1
        let index = activeIndex(lastEpoch)
        let scheduler = schedulers[index]
        if index > 0, milestones[index - 1] == lastEpoch {
            try scheduler.jump(to: 0)
        } else {
            try scheduler.step()
        }
        lastLR = scheduler.lastLR
    }

    /// `_milestones`, `last_epoch`, `_last_lr` and `_schedulers` (each scheduler's state dict).
    public override func stateDict() -> [String: StateValue] {
        ["_milestones": .list(milestones.map(StateValue.int)), "last_epoch": .int(lastEpoch), "_last_lr": .numbers(lastLR),
         "_schedulers": .list(schedulers.map { .dictionary($0.stateDict()) })]
    }

    /// Restores the counters and every scheduler's state; the saved sequence must have as
    /// many schedulers as this one.
    public override func loadStateDict(_ state: [String: StateValue]) throws {
        let owner = "SequentialLR.loadStateDict"
        let milestones = try state.ints("_milestones", owner)
        let epoch = try state.int("last_epoch", owner)
        let last = try state.numbers("_last_lr", owner, count: optimizer.learningRates.count)
        guard case .list(let saved) = try state.value("_schedulers", owner), saved.count == schedulers.count,
              milestones.count == schedulers.count - 1 else {
            throw TorchError(.invalidArgument, "\(owner): the state dict's schedulers and milestones do not fit a sequence of \(schedulers.count) schedulers")
        }
        let children = try saved.map { value -> [String: StateValue] in
            guard case .dictionary(let child) = value else {
                throw TorchError(.invalidArgument, "\(owner): each entry of '_schedulers' must be a scheduler's state dict")
            }
            return child
        }
        // Each child checks its own entries before changing; restore them all from copies
        // if a later one refuses, so a failed load changes nothing.
        let before = schedulers.map { $0.stateDict() }
        do {
            for (scheduler, child) in zip(schedulers, children) { try scheduler.loadStateDict(child) }
        } catch {
            for (scheduler, child) in zip(schedulers, before) { try? scheduler.loadStateDict(child) }
            throw error
        }
        (self.milestones, lastEpoch, lastLR) = (milestones, epoch, last)
    }
}
