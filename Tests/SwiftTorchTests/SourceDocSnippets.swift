import Foundation
import Testing
import SwiftTorch

// The Swift examples of the `///` doc comments in Sources/ and Backends/, kept here where they
// compile and run. Each lies between a `// snippet: NAME` line and an `// end snippet` line;
// the doc comment's block after `/// <!-- snippet: NAME -->` must be the same text
// (SourceDocSnippetTests checks it, indentation aside). Lines around a region set up what
// the example assumes (a model, an optimizer, data) and check what it did.

/// A fresh folder for an example's files, removed by the caller.
private func scratchFolder() throws -> URL {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("swifttorch-source-docs-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    return folder
}

/// The elements of `tensor` as doubles.
private func values(_ tensor: Tensor) throws -> [Double] { try tensor.toArray(of: Double.self) }

/// Whether `actual` and `expected` agree to float32 rounding.
private func close(_ actual: [Double], _ expected: [Double], tolerance: Double = 1e-6) -> Bool {
    actual.count == expected.count && zip(actual, expected).allSatisfy { Swift.abs($0 - $1) <= tolerance }
}

@Suite("Docs: the doc comments' examples of nn run")
struct ModuleDocSnippets {
    @Test("Module: parameters are found by reflection and named by property")
    func namedParameters() throws {
        // snippet: module-named-parameters
        final class MLP: Module {
            let fc1 = Linear(4, 8)
            let fc2 = Linear(8, 2)
            func callAsFunction(_ x: Tensor) throws -> Tensor { try fc2(fc1(x).relu()) }
        }
        let names = MLP().namedParameters().map(\.0)   // ["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"]
        // end snippet
        #expect(names == ["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"])
        #expect(try MLP()(Tensor.randn([3, 4])).shape == [3, 2])
    }

    @Test("Sequential: layers in order, children named by position")
    func sequential() throws {
        let x = try Tensor.randn([32, 64])
        // snippet: sequential
        let model = Sequential {
            Linear(64, 128)
            ReLU()
            Linear(128, 10)
        }
        let logits = try model(x)   // x [32, 64] -> logits [32, 10]
        // end snippet
        #expect(logits.shape == [32, 10])
        #expect(model.namedParameters().map(\.0) == ["0.weight", "0.bias", "2.weight", "2.bias"])
    }

    @Test("Module.apply re-initialises every Linear")
    func apply() throws {
        let model = Sequential {
            Linear(64, 128)
            ReLU()
            Linear(128, 10)
        }
        // snippet: module-apply
        try model.apply { m in
            if let linear = m as? Linear { try Init.xavierUniform(linear.weight) }
        }
        // end snippet
        for linear in model.layers.compactMap({ $0 as? Linear }) {
            let largest = try values(linear.weight).map(Swift.abs).max()!
            let xavierBound = (6.0 / Double(linear.inFeatures + linear.outFeatures)).squareRoot()
            // PyTorch's default init stays within 1/sqrt(fanIn), below Glorot's bound here.
            #expect(largest <= xavierBound)
            #expect(largest > 1 / Double(linear.inFeatures).squareRoot())
        }
    }
}

@Suite("Docs: the doc comments' examples of optim run")
struct OptimDocSnippets {
    @Test("Optimizer: zeroGrad, backward, step moves SGD's parameters by -lr * grad on the first step")
    func optimizerStep() throws {
        let model = Linear(3, 1)
        let (x, y) = (try Tensor.randn([8, 3]), try Tensor.randn([8, 1]))
        let before = try values(model.weight)
        // snippet: optimizer-step
        let optimizer = try SGD(model.parameters(), lr: 0.1, momentum: 0.9)
        optimizer.zeroGrad()
        let loss = try MSELoss()(model(x), y)
        try loss.backward()
        try optimizer.step()
        // end snippet
        let grad = try values(#require(model.weight.grad))
        #expect(close(try values(model.weight), zip(before, grad).map { $0 - 0.1 * $1 }))
    }

    @Test("StepLR over 100 epochs multiplies the rate by 0.1 three times")
    func stepLR() throws {
        let model = Linear(2, 1)
        let optimizer = try SGD(model.parameters(), lr: 0.1)
        let (x, y) = (try Tensor.randn([8, 2]), try Tensor.randn([8, 1]))
        var epochsTrained = 0
        func train(_ epoch: Int) throws {
            optimizer.zeroGrad()
            try MSELoss()(model(x), y).backward()
            try optimizer.step()
            epochsTrained = epoch + 1
        }
        // snippet: step-lr
        let scheduler = try StepLR(optimizer, stepSize: 30, gamma: 0.1)
        for epoch in 0..<100 {
            try train(epoch)          // zeroGrad, backward and optimizer.step() per batch
            try scheduler.step()      // the rate times 0.1 at epochs 30, 60 and 90
        }
        // end snippet
        #expect(epochsTrained == 100)
        #expect(scheduler.lastEpoch == 100)
        #expect(Swift.abs(optimizer.learningRates[0] - 1e-4) < 1e-15)
    }

    @Test("ReduceLROnPlateau halves the rate after more than two epochs without improvement")
    func reduceLROnPlateau() throws {
        let model = Linear(2, 1)
        let optimizer = try SGD(model.parameters(), lr: 0.1)
        let epochs = 4
        var epochsTrained = 0
        func train(_ epoch: Int) throws { epochsTrained = epoch }
        func validate() -> Double { 0.7 }   // a validation loss that has stopped improving
        // snippet: reduce-lr-on-plateau
        let scheduler = try ReduceLROnPlateau(optimizer, mode: .min, factor: 0.5, patience: 2)
        for epoch in 1...epochs {
            try train(epoch)
            try scheduler.step(validate())   // the validation loss
        }
        // end snippet
        #expect(epochsTrained == 4)
        // Epoch 1 sets the best; epochs 2, 3 and 4 are bad, and the third bad one passes patience 2.
        #expect(optimizer.learningRates == [0.05])
        #expect(scheduler.lastLR == [0.05])
    }

    @Test("SequentialLR: three epochs of linear warm-up, then exponential decay")
    func sequentialLR() throws {
        let optimizer = try SGD(Linear(2, 1).parameters(), lr: 0.1)
        // snippet: sequential-lr
        let warmUp = try LinearLR(optimizer, startFactor: 0.1, totalIters: 3)
        let decay = try ExponentialLR(optimizer, gamma: 0.9)
        let scheduler = try SequentialLR(optimizer, schedulers: [warmUp, decay], milestones: [3])
        // end snippet
        var rates = [optimizer.learningRates[0]]
        for _ in 0..<4 {
            try scheduler.step()
            rates.append(optimizer.learningRates[0])
        }
        // PyTorch: 0.01, 0.04, 0.07, then decay from the base rate at the milestone: 0.1, 0.09.
        #expect(close(rates, [0.01, 0.04, 0.07, 0.1, 0.09], tolerance: 1e-12))
    }

    @Test("OneCycleLR over epochs * stepsPerEpoch starts at maxLR / 25")
    func oneCycleLR() throws {
        let model = Linear(4, 2)
        let optimizer = try SGD(model.parameters(), lr: 0.1, momentum: 0.9)
        let loader = DataLoader(try TensorDataset(Tensor.randn([100, 4])), batchSize: 10)
        // snippet: one-cycle-lr
        let scheduler = try OneCycleLR(optimizer, maxLR: 0.1, epochs: 10, stepsPerEpoch: loader.count)
        // end snippet
        #expect(Swift.abs(scheduler.lastLR[0] - 0.1 / 25) < 1e-15)
        for _ in 0..<(10 * loader.count) { try scheduler.step() }
        #expect(throws: TorchError.self) { try scheduler.step() }   // past its 100 steps
    }
}

@Suite("Docs: the doc comments' examples of in-place updates run")
struct InPlaceDocSnippets {
    @Test("copy_ overwrites the elements")
    func copy() throws {
        let x = try Tensor.zeros([2])
        // snippet: in-place-copy
        try x.copy_(Tensor([1.0, 2.0]))
        // end snippet
        #expect(try values(x) == [1, 2])
    }

    @Test("add_ with alpha is a gradient step")
    func add() throws {
        let (p, grad) = (try Tensor([1.0, 2.0]), try Tensor([10.0, -10.0]))
        // snippet: in-place-add
        try p.add_(grad, alpha: -0.1)   // p -= 0.1 * grad
        // end snippet
        #expect(close(try values(p), [0, 3]))
    }

    @Test("mul_ then addcmul_ is Adam's second moment")
    func addcmul() throws {
        let (v, g) = (try Tensor([1.0, 2.0]), try Tensor([10.0, 20.0]))
        // snippet: in-place-addcmul
        try v.mul_(0.999).addcmul_(g, g, value: 0.001)
        // end snippet
        #expect(close(try values(v), [0.999 + 0.1, 1.998 + 0.4]))
    }

    @Test("addcdiv_ is Adam's update")
    func addcdiv() throws {
        let (p, m, denom, lr) = (try Tensor([1.0, 1.0]), try Tensor([0.5, -1.0]), try Tensor([2.0, 4.0]), 0.1)
        // snippet: in-place-addcdiv
        try p.addcdiv_(m, denom, value: -lr)
        // end snippet
        #expect(close(try values(p), [0.975, 1.025]))
    }

    @Test("lerp_ is Adam's first moment")
    func lerp() throws {
        let (m, grad) = (try Tensor([0.0, 1.0]), try Tensor([10.0, 1.0]))
        // snippet: in-place-lerp
        try m.lerp_(grad, weight: 0.1)
        // end snippet
        #expect(close(try values(m), [1, 1]))
    }
}

@Suite("Docs: the doc comments' examples of devices and files run")
struct DeviceAndFileDocSnippets {
    @Test("cuda: the device line picks the CPU exactly when CUDA is not available")
    func cudaDevices() throws {
        // snippet: cuda-devices
        let device: Device = cuda.isAvailable ? .cuda : .cpu
        if cuda.isAvailable { print(cuda.deviceCount, try cuda.deviceName(0)) }
        // end snippet
        if cuda.isAvailable {
            #expect(device == .cuda)
            #expect(cuda.deviceCount > 0)
        } else {
            #expect(device == .cpu)
            #expect(cuda.deviceCount == 0)
            #expect(cuda.unavailableReason != nil)
            #expect(throws: TorchError.self) { try cuda.deviceName(0) }
        }
    }

    @Test("safetensors: a written tensor reads back equal, with the metadata")
    func safetensors() throws {
        let folder = try scratchFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("weights.safetensors")
        let w = try Tensor.randn([2, 3])
        // snippet: safetensors-writer
        var writer = SafetensorsWriter(metadata: ["format": "pt"])
        try writer.add("weight", w)
        try writer.write(to: url)
        // end snippet
        // snippet: safetensors-reader
        let file = try SafetensorsReader(contentsOf: url)
        let weight = try file.tensor(named: "weight")
        // end snippet
        #expect(file.metadata == ["format": "pt"])
        #expect(weight.shape == [2, 3])
        #expect(try values(weight) == values(w))
    }
}

@Suite("Docs: the doc comments' examples of training tools run")
struct TrainingToolDocSnippets {
    /// A model, its optimizer and a scheduler that has taken one step.
    private static func trainingState() throws -> (Linear, SGD, StepLR) {
        let model = Linear(4, 2)
        let optimizer = try SGD(model.parameters(), lr: 0.1, momentum: 0.9)
        return (model, optimizer, try StepLR(optimizer, stepSize: 1, gamma: 0.5))
    }

    @Test("a checkpoint saved at epoch 3 restores the model, the rates and the epoch")
    func checkpoint() throws {
        let folder = try scratchFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("checkpoint.safetensors")
        let (model, optimizer, scheduler) = try Self.trainingState()
        try scheduler.step()
        let epoch = 3
        // snippet: save-checkpoint
        try saveCheckpoint(to: url, model: model, optimizer: optimizer, scheduler: scheduler, epoch: epoch)
        // end snippet
        let savedWeight = try values(model.weight)
        do {   // fresh objects, as in a new process
            let (model, optimizer, scheduler) = try Self.trainingState()
            #expect(try values(model.weight) != savedWeight)
            // snippet: load-checkpoint
            let start = try loadCheckpoint(from: url, model: model, optimizer: optimizer, scheduler: scheduler).epoch + 1
            // end snippet
            #expect(start == 4)
            #expect(try values(model.weight) == savedWeight)
            #expect(optimizer.learningRates == [0.05])
            #expect(scheduler.lastEpoch == 1)
        }
    }

    @Test("clipGradNorm returns the norm before clipping and leaves a total norm of maxNorm")
    func clippingGradients() throws {
        let (model, optimizer, _) = try Self.trainingState()
        let loss = try (model(Tensor.randn([8, 4])) * 100).sum()
        // snippet: clip-grad-norm
        try loss.backward()
        let norm = try clipGradNorm(model.parameters(), maxNorm: 1.0)
        try optimizer.step()
        // end snippet
        let clipped = try model.parameters().flatMap { try values(#require($0.grad)) }
        #expect(try norm.item() > 1)
        #expect(Swift.abs(clipped.map { $0 * $0 }.reduce(0, +).squareRoot() - 1) < 1e-4)
    }

    @Test("LinePlot: a series written to an SVG file")
    func linePlot() throws {
        let folder = try scratchFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        // snippet: line-plot
        var plot = LinePlot(title: "loss", xLabel: "epoch")
        plot.add("train", x: [1, 2, 3], y: [0.9, 0.5, 0.3])
        try PlotFigure(panels: [plot]).write(to: folder.appendingPathComponent("loss.svg"))
        // end snippet
        let svg = try String(contentsOf: folder.appendingPathComponent("loss.svg"), encoding: .utf8)
        #expect(svg.contains("<svg"))
        #expect(svg.contains(#"data-series="train""#))
    }

    @Test("MetricsLog: one appended row is one CSV line")
    func metricsLog() throws {
        let folder = try scratchFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        // snippet: metrics-log
        let log = MetricsLog(url: folder.appendingPathComponent("metrics.csv"))
        try log.append(epoch: 1, ["loss": 0.52, "accuracy": 0.91])
        // end snippet
        let csv = try String(contentsOf: folder.appendingPathComponent("metrics.csv"), encoding: .utf8)
        #expect(csv == "epoch,loss,accuracy\n1,0.52,0.91\n")
    }

    @Test("progress(_:) over an array counts every batch and keeps the running loss")
    func progressSequence() throws {
        let (model, optimizer, _) = try Self.trainingState()
        let lossFunction = CrossEntropyLoss()
        let samples = try (0..<5).map { _ in try (Tensor.randn([8, 4]), Tensor.randint(high: 2, [8])) }
        let epoch = 1
        // snippet: progress-sequence
        let batches = progress(samples, description: "epoch \(epoch)")   // samples: [(x, y)]
        for (x, y) in batches {
            optimizer.zeroGrad()
            let loss = try lossFunction(model(x), y)
            try loss.backward()
            try optimizer.step()
            batches.bar.recordLoss(try loss.item())
        }
        // end snippet
        #expect(batches.bar.total == 5)
        #expect(batches.bar.count == 5)
        #expect(batches.bar.description == "epoch 1")
        #expect(try #require(batches.bar.runningLoss) > 0)
    }

    @Test("ProgressBar by hand over a DataLoader counts its batches")
    func progressBar() async throws {
        let (model, optimizer, _) = try Self.trainingState()
        let lossFunction = CrossEntropyLoss()
        let loader = DataLoader(try TensorDataset(Tensor.randn([40, 4]), Tensor.randint(high: 2, [40])), batchSize: 10)
        // snippet: progress-bar
        let bar = ProgressBar(total: loader.count, description: "epoch 1")
        for try await (inputs, targets) in loader {
            optimizer.zeroGrad()
            let loss = try lossFunction(model(inputs), targets)
            try loss.backward()
            try optimizer.step()
            bar.recordLoss(try loss.item())
            bar.update()
        }
        bar.close()
        // end snippet
        #expect(bar.total == 4)
        #expect(bar.count == 4)
        #expect(bar.line().hasPrefix("epoch 1: 100%|"))
        #expect(try #require(bar.runningLoss) > 0)
    }
}
