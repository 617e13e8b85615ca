import Foundation
import SwiftTorch
import Testing

// Docs/training-tools.md's code, compiled and run. Each region between `// snippet: NAME`
// and `// end snippet` must equal the Markdown block marked `<!-- tested: NAME -->`, which
// the last test checks.

/// A fresh folder for a snippet's files.
private func outputFolder() throws -> URL {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("swifttorch-docs-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    return folder
}

@Suite("Docs: training-tools.md runs")
struct TrainingToolsDocTests {
    @Test func trainingLoopAndResume() async throws {
        let folder = try outputFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        // snippet: training-loop
        let data = try TensorDataset(Tensor.randn([256, 4]), Tensor.randint(high: 3, [256]))
        let loader = DataLoader(data, batchSize: 32, shuffle: true)
        let model = Sequential {
            Linear(4, 32)
            ReLU()
            Dropout(p: 0.2)
            Linear(32, 3)
        }
        let optimizer = try SGD(model.parameters(), lr: 0.05, momentum: 0.9)
        let scheduler = try StepLR(optimizer, stepSize: 2, gamma: 0.5)
        let lossFunction = CrossEntropyLoss()
        let log = MetricsLog(url: folder.appendingPathComponent("metrics.csv"))

        for epoch in 1...3 {
            model.train()
            let batches = progress(loader, description: "epoch \(epoch)")
            for try await (inputs, targets) in batches {
                optimizer.zeroGrad()
                let loss = try lossFunction(model(inputs), targets)
                try loss.backward()
                try clipGradNorm(model.parameters(), maxNorm: 1.0)
                try optimizer.step()
                batches.bar.recordLoss(try loss.item())
            }
            try scheduler.step()
            try log.append(epoch: epoch, ["loss": batches.bar.runningLoss!, "lr": scheduler.lastLR[0]])
            try saveCheckpoint(to: folder.appendingPathComponent("checkpoint.safetensors"),
                               model: model, optimizer: optimizer, scheduler: scheduler, epoch: epoch)
        }
        try log.writePlot(to: folder.appendingPathComponent("loss.svg"))
        // end snippet
        #expect(log.rows.count == 3)
        #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("loss.svg").path))

        // snippet: resume
        let checkpoint = try loadCheckpoint(from: folder.appendingPathComponent("checkpoint.safetensors"),
                                            model: model, optimizer: optimizer, scheduler: scheduler)
        let startEpoch = checkpoint.epoch + 1                 // 4
        let resumedLog = try MetricsLog(contentsOf: folder.appendingPathComponent("metrics.csv"))
        // end snippet
        #expect(startEpoch == 4)
        #expect(resumedLog.rows.count == 3)
        #expect(scheduler.lastEpoch == 3)
    }

    @Test func schedulers() throws {
        let model = Linear(4, 2)
        let loader = DataLoader(try TensorDataset(Tensor.randn([64, 4])), batchSize: 16)
        let validationLoss = 0.42
        // snippet: schedulers
        // Five epochs of linear warm-up, then a cosine decay.
        let optimizer = try SGD(model.parameters(), lr: 0.1, momentum: 0.9)
        let warmUp = try LinearLR(optimizer, startFactor: 0.1, totalIters: 5)
        let cosine = try CosineAnnealingLR(optimizer, tMax: 45)
        let scheduler = try SequentialLR(optimizer, schedulers: [warmUp, cosine], milestones: [5])
        try scheduler.step()                                   // once per epoch

        // Halve the rate when the validation loss has not improved for three epochs.
        let adam = try Adam(model.parameters(), lr: 1e-3)
        let plateau = try ReduceLROnPlateau(adam, mode: .min, factor: 0.5, patience: 3)
        try plateau.step(validationLoss)                       // once per epoch, with the metric

        // One cycle over the whole run, stepped after every batch; momentum cycles too.
        let sgd = try SGD(model.parameters(), lr: 0.1, momentum: 0.9)
        let oneCycle = try OneCycleLR(sgd, maxLR: 0.1, epochs: 10, stepsPerEpoch: loader.count)
        try oneCycle.step()                                    // once per batch
        // end snippet
        #expect(Swift.abs(optimizer.learningRates[0] - 0.028) < 1e-12)
        #expect(adam.learningRates == [1e-3])
        #expect(sgd.paramGroups[0].options.momentum < 0.95)
    }

    @Test func initialisationAndClipping() throws {
        // snippet: init
        let model = Sequential {
            Linear(64, 128)
            ReLU()
            Linear(128, 10)
        }
        try model.apply { m in                                 // children first, then the model
            if let linear = m as? Linear {
                try Init.kaimingNormal(linear.weight, mode: .fanIn, nonlinearity: .relu)
                try Init.zeros(linear.bias!)
            }
        }
        let recurrent = try Tensor.zeros([32, 32]).requiringGrad()
        try Init.orthogonal(recurrent, gain: Init.calculateGain(.tanh))
        // end snippet
        #expect(try model.parameters()[1].toArray(of: Double.self).allSatisfy { $0 == 0 })
        try CrossEntropyLoss()(model(Tensor.randn([4, 64])), Tensor([1, 2, 3, 4])).backward()
        // snippet: clip
        let totalNorm = try clipGradNorm(model.parameters(), maxNorm: 1.0)   // before clipping
        try clipGradValue(model.parameters(), clipValue: 0.5)
        print("gradient norm \(try totalNorm.item())")
        // end snippet
        #expect(try totalNorm.item() > 0)
    }

    @Test func manualProgressBar() throws {
        let losses = (0..<100).map { 1 / Double($0 + 1) }
        // snippet: progress-bar
        let bar = ProgressBar(total: 100, description: "steps")
        for step in 0..<100 {
            bar.recordLoss(losses[step])                       // shown as the running mean, loss=...
            bar.setPostfix(["lr": 0.01])
            bar.update()
        }
        bar.close()
        // end snippet
        #expect(bar.count == 100)
    }

    @Test func plotFromArrays() throws {
        let folder = try outputFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let (trainLosses, testLosses, accuracies) = ([0.9, 0.5, 0.3], [1.0, 0.6, 0.45], [0.7, 0.85, 0.9])
        // snippet: plot
        var losses = LinePlot(title: "loss", xLabel: "epoch")
        losses.add("train", trainLosses)                      // x = 1, 2, 3, ...
        losses.add("test", testLosses)
        var accuracy = LinePlot(title: "accuracy", xLabel: "epoch")
        accuracy.add("test", accuracies)
        try PlotFigure(panels: [losses, accuracy]).write(to: folder.appendingPathComponent("curves.svg"))
        // end snippet
        #expect(try String(contentsOf: folder.appendingPathComponent("curves.svg"), encoding: .utf8).contains("data-series=\"train\""))
    }

    @Test("every marked block of training-tools.md equals its region here, and every region is used")
    func documentMatchesRegions() throws {
        try Self.expectBlocks(of: "Docs/training-tools.md", toEqualRegionsOf: #filePath)
    }

    /// Checks that every `<!-- tested: NAME -->` block of `document` (a path in the
    /// repository) equals the region `NAME` of the test file at `testFile`, that every
    /// region is used, and that every swift block is marked.
    static func expectBlocks(of document: String, toEqualRegionsOf testFile: String) throws {
        let tests = URL(fileURLWithPath: testFile)
        let repository = tests.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let markdown = try String(contentsOf: repository.appendingPathComponent(document), encoding: .utf8)
        let regions = Self.regions(try String(contentsOf: tests, encoding: .utf8))
        let blocks = Self.markedBlocks(markdown)
        #expect(Set(blocks.keys) == Set(regions.keys))
        for (name, text) in blocks { #expect(text == regions[name], "\(document): snippet '\(name)' differs from its region") }
        let swiftBlocks = markdown.components(separatedBy: "\n").filter { $0 == "```swift" }.count
        #expect(swiftBlocks == blocks.count, "\(document): every swift block is a marked snippet")
    }

    /// Blocks that follow `<!-- tested: NAME -->`, by name.
    static func markedBlocks(_ markdown: String) -> [String: String] {
        var blocks: [String: String] = [:]
        let lines = markdown.components(separatedBy: "\n")
        var i = 0
        while i < lines.count {
            if lines[i].hasPrefix("<!-- tested: "), i + 1 < lines.count, lines[i + 1].hasPrefix("```") {
                let name = lines[i].dropFirst("<!-- tested: ".count).replacingOccurrences(of: "-->", with: "").trimmingCharacters(in: .whitespaces)
                let end = lines[(i + 2)...].firstIndex { $0.hasPrefix("```") } ?? lines.count
                blocks[name] = lines[(i + 2)..<end].joined(separator: "\n")
                i = end
            }
            i += 1
        }
        return blocks
    }

    /// The regions of `source` by name, without the indentation their lines share.
    static func regions(_ source: String) -> [String: String] {
        var regions: [String: String] = [:]
        var name: String?
        var body: [String] = []
        for line in source.components(separatedBy: "\n") {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.hasPrefix("// snippet: ") {
                (name, body) = (String(trimmed.dropFirst("// snippet: ".count)), [])
            } else if trimmed == "// end snippet", let current = name {
                let indent = body.filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }.map { $0.prefix { $0 == " " }.count }.min() ?? 0
                regions[current] = body.map { String($0.dropFirst(Swift.min(indent, $0.count))) }.joined(separator: "\n")
                name = nil
            } else if name != nil {
                body.append(line)
            }
        }
        return regions
    }
}
