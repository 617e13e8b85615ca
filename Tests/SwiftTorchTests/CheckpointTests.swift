import Foundation
import SwiftTorch
import Testing

// Checkpoints: optimizer state dicts in PyTorch's layout, and a run resumed from a file
// that continues bit for bit as if it had never stopped (dropout masks included).

/// A small classifier with dropout: weights drawn from `Generator(seed:)`, dropout masks from
/// `masks` (generators of their own, so tests running alongside cannot shift the draws).
private func makeModel(seed: UInt64, masks: Generator = Generator(seed: 0)) throws -> Sequential {
    let weights = Generator(seed: seed)
    return Sequential {
        Linear(4, 16, generator: weights)
        ReLU()
        Dropout(p: 0.3, generator: masks)
        Linear(16, 3, generator: weights)
    }
}

private struct Batch {
    let x: Tensor, y: Tensor

    init() throws {
        x = try Tensor.randn([8, 4], generator: Generator(seed: 1))
        y = try Tensor.randint(high: 3, [8], generator: Generator(seed: 2))
    }
}

/// One training step (PyTorch's order: the optimizer steps, then the scheduler).
private func trainStep(_ model: Sequential, _ optimizer: any Optimizer, _ scheduler: LRScheduler, _ batch: Batch) throws {
    optimizer.zeroGrad()
    try CrossEntropyLoss()(model(batch.x), batch.y).backward()
    try optimizer.step()
    try scheduler.step()
}

private func temporaryFile(_ name: String) -> URL {
    FileManager.default.temporaryDirectory.appendingPathComponent("swifttorch-\(UUID().uuidString)-\(name)")
}

private func values(_ model: Module) throws -> [[Double]] { try model.parameters().map { try $0.toArray(of: Double.self) } }

private typealias Setup = (Sequential) throws -> (any Optimizer, LRScheduler)

/// Parameters after ten steps in one go, and after five, a checkpoint, fresh objects (other
/// weights, a disturbed generator) loaded from it, and five more.
private func uninterruptedAndResumed(_ setup: Setup, restoreGenerator: Bool = true) throws -> ([[Double]], [[Double]]) {
    let batch = try Batch()
    let straight = try makeModel(seed: 0, masks: Generator(seed: 100))
    let (optimizer, scheduler) = try setup(straight)
    for _ in 0..<10 { try trainStep(straight, optimizer, scheduler, batch) }

    let firstMasks = Generator(seed: 100)
    let first = try makeModel(seed: 0, masks: firstMasks)
    let (firstOptimizer, firstScheduler) = try setup(first)
    for _ in 0..<5 { try trainStep(first, firstOptimizer, firstScheduler, batch) }
    let url = temporaryFile("checkpoint.safetensors")
    defer { try? FileManager.default.removeItem(at: url) }
    try saveCheckpoint(to: url, model: first, optimizer: firstOptimizer, scheduler: firstScheduler, epoch: 5,
                       generator: firstMasks, extra: ["loss": .number(0.25)])

    // A new process: other initial weights, a generator elsewhere in its sequence.
    let resumedMasks = Generator(seed: 999)
    let resumed = try makeModel(seed: 12345, masks: resumedMasks)
    let (resumedOptimizer, resumedScheduler) = try setup(resumed)
    let checkpoint = try loadCheckpoint(from: url, model: resumed, optimizer: resumedOptimizer, scheduler: resumedScheduler,
                                        generator: restoreGenerator ? resumedMasks : nil)
    #expect(checkpoint.epoch == 5)
    #expect(checkpoint.extra["loss"] == .number(0.25))
    for _ in 0..<5 { try trainStep(resumed, resumedOptimizer, resumedScheduler, batch) }
    return (try values(straight), try values(resumed))
}

@Suite("Checkpoints: optimizer and scheduler state, resuming bit for bit")
struct CheckpointTests {
    @Test func sgdWithMomentumAndStepLRResumesBitForBit() throws {
        let (straight, resumed) = try uninterruptedAndResumed { model in
            let optimizer = try SGD(model.parameters(), lr: 0.1, momentum: 0.9)
            return (optimizer, try StepLR(optimizer, stepSize: 3, gamma: 0.5))
        }
        #expect(straight == resumed)
    }

    @Test func adamWithOneCycleResumesBitForBit() throws {
        let (straight, resumed) = try uninterruptedAndResumed { model in
            let optimizer = try Adam(model.parameters(), lr: 0.01)
            return (optimizer, try OneCycleLR(optimizer, maxLR: 0.05, totalSteps: 10))
        }
        #expect(straight == resumed)
    }

    @Test func withoutTheGeneratorsStateDropoutDrawsOtherMasks() throws {
        let (straight, resumed) = try uninterruptedAndResumed({ model in
            let optimizer = try SGD(model.parameters(), lr: 0.1, momentum: 0.9)
            return (optimizer, try StepLR(optimizer, stepSize: 3))
        }, restoreGenerator: false)
        #expect(straight != resumed)
    }

    @Test func sgdStateDictHasPyTorchsLayout() throws {
        let model = try makeModel(seed: 0)
        let optimizer = try SGD(model.parameters(), lr: 0.1, momentum: 0.9)
        #expect(try optimizer.stateDict().state.isEmpty)
        try trainStep(model, optimizer, try StepLR(optimizer, stepSize: 10), try Batch())
        let dict = try optimizer.stateDict()
        #expect(dict.state.keys.sorted() == [0, 1, 2, 3])
        #expect(dict.state[0]?["momentum_buffer"]?.shape == [16, 4])
        #expect(dict.state[3]?["momentum_buffer"]?.shape == [3])
        #expect(dict.paramGroups.count == 1)
        let group = dict.paramGroups[0]
        #expect(group["params"] == .list([.int(0), .int(1), .int(2), .int(3)]))
        #expect(group["lr"] == .number(0.1))
        #expect(group["momentum"] == .number(0.9))
        #expect(group["initial_lr"] == .number(0.1))
        #expect(group["nesterov"] == .bool(false))
    }

    @Test func adamStateCountsStepsAsAFloatNumber() throws {
        let p = try Tensor([1.0, 2.0]).requiringGrad()
        let optimizer = try Adam([p], amsgrad: true)
        for _ in 0..<2 {
            optimizer.zeroGrad()
            try (p * p).sum().backward()
            try optimizer.step()
        }
        let state = try #require(try optimizer.stateDict().state[0])
        #expect(Set(state.keys) == ["step", "exp_avg", "exp_avg_sq", "max_exp_avg_sq"])
        #expect(state["step"]?.shape == [])
        #expect(state["step"]?.dtype == .float32)
        #expect(try state["step"]?.item() == 2)
        #expect(try optimizer.stateDict().paramGroups[0]["betas"] == .numbers([0.9, 0.999]))
    }

    @Test func rmspropStateHoldsTheAveragesItUses() throws {
        let p = try Tensor([1.0, 2.0]).requiringGrad()
        let optimizer = try RMSprop([p], momentum: 0.5, centered: true)
        try (p * p).sum().backward()
        try optimizer.step()
        let state = try #require(try optimizer.stateDict().state[0])
        #expect(Set(state.keys) == ["step", "square_avg", "grad_avg", "momentum_buffer"])
    }

    @Test func loadingCopiesTheStateSoTheDictStaysUntouched() throws {
        let p = try Tensor([1.0, 2.0]).requiringGrad(), q = try Tensor([1.0, 2.0]).requiringGrad()
        let first = try SGD([p], lr: 0.1, momentum: 0.9), second = try SGD([q], lr: 0.1, momentum: 0.9)
        try (p * p).sum().backward()
        try first.step()
        let dict = try first.stateDict()
        try second.loadStateDict(dict)
        try (q * q).sum().backward()
        try second.step()
        #expect(try dict.state[0]!["momentum_buffer"]!.toArray(of: Double.self) == [2, 4])
        #expect(try second.stateDict().state[0]!["momentum_buffer"]!.toArray(of: Double.self) != [2, 4])
    }

    @Test func loadingRejectsStateThatDoesNotFitAndChangesNothing() throws {
        let model = try makeModel(seed: 0)
        let optimizer = try SGD(model.parameters(), lr: 0.1, momentum: 0.9)
        try trainStep(model, optimizer, try StepLR(optimizer, stepSize: 10), try Batch())
        let good = try optimizer.stateDict()

        var extraGroup = good
        extraGroup.paramGroups.append(good.paramGroups[0])
        #expect(throws: TorchError.self) { try optimizer.loadStateDict(extraGroup) }

        var shortGroup = good
        shortGroup.paramGroups[0]["params"] = .list([.int(0), .int(1)])
        let sizeError = try #require(throws: TorchError.self) { try optimizer.loadStateDict(shortGroup) }
        #expect(sizeError.message.contains("doesn't match the size of optimizer's group"))

        var badShape = good
        badShape.state[0]!["momentum_buffer"] = try Tensor.zeros([4, 16])
        badShape.paramGroups[0]["lr"] = .number(7)
        let shapeError = try #require(throws: TorchError.self) { try optimizer.loadStateDict(badShape) }
        #expect(shapeError.kind == .shapeMismatch)
        #expect(optimizer.learningRates == [0.1])

        var unknown = good
        unknown.state[1]!["exp_avg"] = try Tensor.zeros([16])
        #expect(throws: TorchError.self) { try optimizer.loadStateDict(unknown) }

        var outOfRange = good
        outOfRange.state[9] = good.state[0]
        #expect(throws: TorchError.self) { try optimizer.loadStateDict(outOfRange) }

        var wrongType = good
        wrongType.paramGroups[0]["momentum"] = .string("high")
        #expect(throws: TorchError.self) { try optimizer.loadStateDict(wrongType) }
        #expect(try optimizer.stateDict().paramGroups[0]["momentum"] == .number(0.9))
    }

    @Test func aCheckpointFileUsesPyTorchsDottedKeys() throws {
        let model = try makeModel(seed: 0)
        let optimizer = try SGD(model.parameters(), lr: 0.1, momentum: 0.9)
        let scheduler = try StepLR(optimizer, stepSize: 2)
        try trainStep(model, optimizer, scheduler, try Batch())
        let url = temporaryFile("keys.safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        try saveCheckpoint(to: url, model: model, optimizer: optimizer, scheduler: scheduler, epoch: 1)
        let file = try SafetensorsReader(contentsOf: url)
        #expect(Set(file.names) == ["model.0.weight", "model.0.bias", "model.3.weight", "model.3.bias",
                                     "optimizer.state.0.momentum_buffer", "optimizer.state.1.momentum_buffer",
                                     "optimizer.state.2.momentum_buffer", "optimizer.state.3.momentum_buffer", "rng_state"])
        #expect(file.metadata["format"] == Checkpoint.format)
        #expect(file.metadata["epoch"] == "1")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: url.deletingLastPathComponent().path)
            .filter { $0.hasPrefix(".\(url.lastPathComponent)") }
        #expect(leftovers.isEmpty)
    }

    @Test func aFailedLoadLeavesOptimizerAndSchedulerAsTheyWere() throws {
        let model = try makeModel(seed: 0)
        let optimizer = try SGD(model.parameters(), lr: 0.1, momentum: 0.9)
        let scheduler = try StepLR(optimizer, stepSize: 1, gamma: 0.5)
        for _ in 0..<3 { try trainStep(model, optimizer, scheduler, try Batch()) }
        let url = temporaryFile("other.safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        try saveCheckpoint(to: url, model: model, optimizer: optimizer, scheduler: scheduler, epoch: 3)

        // Same parameter shapes for the optimizer, but a model with other layer names.
        let other = Sequential {
            Linear(4, 16)
            ReLU()
            Linear(16, 3)
        }
        let freshOptimizer = try SGD(other.parameters(), lr: 0.1, momentum: 0.9)
        let freshScheduler = try StepLR(freshOptimizer, stepSize: 1, gamma: 0.5)
        #expect(throws: TorchError.self) {
            try loadCheckpoint(from: url, model: other, optimizer: freshOptimizer, scheduler: freshScheduler)
        }
        #expect(try freshOptimizer.stateDict().state.isEmpty)
        #expect(freshOptimizer.learningRates == [0.1])
        #expect(freshScheduler.lastEpoch == 0)
    }

    @Test func aFileThatIsNotACheckpointIsRefused() throws {
        let model = try makeModel(seed: 0)
        let url = temporaryFile("weights.safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        try model.save(to: url)
        let error = try #require(throws: TorchError.self) { try loadCheckpoint(from: url, model: model) }
        #expect(error.kind == .io)
        #expect(error.message.contains("not a SwiftTorch checkpoint"))
    }

    @Test func partsLeftOutOfACheckpointAreErrorsOnlyWhenAskedFor() throws {
        let model = try makeModel(seed: 0)
        let url = temporaryFile("model-only.safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        try saveCheckpoint(to: url, model: model, epoch: 2, generator: nil)
        let generator = Generator(seed: 3)
        let before = generator.getState()
        let checkpoint = try loadCheckpoint(from: url, model: model, generator: generator)
        #expect(checkpoint.epoch == 2)
        #expect(checkpoint.rngState == nil)
        #expect(generator.getState() == before)
        let optimizer = try SGD(model.parameters(), lr: 0.1)
        #expect(throws: TorchError.self) { try loadCheckpoint(from: url, model: model, optimizer: optimizer, generator: nil) }
    }

    @Test func theGeneratorStateReplaysTheSameValues() throws {
        let generator = Generator(seed: 5)
        _ = generator.next(3)
        let saved = generator.getState()
        let first = generator.uniform(4)
        generator.setState(saved)
        #expect(generator.uniform(4) == first)
        let restored = try Generator.State(tensor: try saved.tensor())
        #expect(restored == saved)
        #expect(throws: TorchError.self) { try Generator.State(words: [0, 0, 0, 0]) }
        #expect(throws: TorchError.self) { try Generator.State(words: [1, 2]) }
    }

    @Test func stateValuesRoundTripThroughJSONExactly() throws {
        let value = StateValue.dictionary(["lr": .number(0.1 * 3), "best": .number(-.infinity), "flag": .bool(true),
                                           "list": .numbers([1e-8, 0.95, 12]), "none": .null, "name": .string("cos")])
        #expect(try StateValue.parse(try StateValue.json(value), what: "test") == value)
        #expect(throws: TorchError.self) { try StateValue.parse("{", what: "test") }
    }
}
