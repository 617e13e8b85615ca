import Foundation
import Testing
import SwiftTorch

// The code of the DocC tutorial (Sources/SwiftTorch/SwiftTorch.docc/Tutorials), in regions
// that compile and run here, in the order of the tutorial's steps. scripts/docs.sh writes
// region NAME as the code file NAME.swift that a step shows (TutorialCodeTests checks the
// steps show them in order), and the last step's whole program as these regions joined.

@Suite("Docs: the DocC tutorial's code runs")
struct TutorialSnippets {
    @Test("the digits MLP tutorial trains, evaluates, saves and restores the model")
    func digitsMLP() async throws {
        // snippet: tutorial-data
        let digits = try Digits.load()
        print(digits.features.shape, digits.labels.shape)   // [1797, 64] [1797]
        let dataset = try TensorDataset(digits.features / 16.0, digits.labels)
        let split = try randomSplit(dataset, fractions: [0.8, 0.2], generator: Generator(seed: 42))
        let trainLoader = DataLoader(split[0], batchSize: 64, shuffle: true, generator: Generator(seed: 7))
        let testLoader = DataLoader(split[1], batchSize: 256)
        // end snippet
        #expect(digits.features.shape == [1797, 64])
        #expect(split.map(\.count) == [1438, 359])

        // snippet: tutorial-model
        final class DigitsMLP: Module {
            let layers = Sequential {
                Linear(64, 128)
                ReLU()
                Linear(128, 64)
                ReLU()
                Linear(64, 10)
            }

            func callAsFunction(_ x: Tensor) throws -> Tensor {
                try layers(x)
            }
        }

        manualSeed(0)                                   // torch.manual_seed(0): the same initial weights every run
        let model = DigitsMLP()
        print(model)
        // end snippet
        #expect(model.parameters().count == 6)

        // snippet: tutorial-loss-optimizer
        let lossFunction = CrossEntropyLoss()
        let optimizer = try SGD(model.parameters(), lr: 0.01, momentum: 0.9)
        // end snippet

        // snippet: tutorial-training-loop
        var meanLosses: [Double] = []
        for epoch in 1...30 {
            model.train()
            var totalLoss = 0.0
            var batches = 0
            for try await (images, labels) in trainLoader {
                optimizer.zeroGrad()
                let loss = try lossFunction(model(images), labels)
                try loss.backward()
                try optimizer.step()
                totalLoss += try loss.item()
                batches += 1
            }
            meanLosses.append(totalLoss / Double(batches))
            print("epoch \(epoch): mean loss \(meanLosses.last!)")
        }
        // end snippet
        #expect(meanLosses.count == 30)
        #expect(meanLosses.last! < meanLosses.first! / 10)

        // snippet: tutorial-evaluation
        model.eval()
        var correct = 0
        try await withNoGrad {                         // torch.no_grad()
            for try await (images, labels) in testLoader {
                let predictions = try model(images).argmax(dim: 1)
                correct += try (predictions .== labels).sum().item(Int.self)
            }
        }
        let accuracy = Double(correct) / Double(split[1].count)
        print("test accuracy: \(accuracy)")
        // end snippet
        #expect(accuracy > 0.9)

        // snippet: tutorial-save-load
        let weights = FileManager.default.temporaryDirectory.appendingPathComponent("digits-mlp.safetensors")
        try model.save(to: weights)

        let restored = DigitsMLP()
        try restored.load(from: weights)
        restored.eval()
        let image = try digits.features[0..<1] / 16.0
        let guess = try restored(image).argmax(dim: 1).item(Int.self)
        print("the first image is a \(guess); its label says \(try digits.labels[0].item(Int.self))")
        // end snippet
        try? FileManager.default.removeItem(at: weights)
        #expect(try guess == model(image).argmax(dim: 1).item(Int.self))
    }
}
