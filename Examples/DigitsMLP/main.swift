// The digits classifier: PyTorch's beginner workflow in Swift.
//
//   swift run -c release digits-mlp [--epochs N] [--save weights.safetensors]
//
// An MLP 64-128-64-10 with ReLU, cross entropy, SGD (lr 0.01, momentum 0.9), batch 64,
// 30 epochs, on a seeded 80/20 split of the bundled digits (8x8 images, pixels / 16).
import Foundation
import ExampleSupport
import SwiftTorch

runExample("digits-mlp") {
    let options = try ExampleOptions(CommandLine.arguments, defaults: ["epochs": "30"])
    let epochs = try options.int("epochs")

    // Data: the bundled digits, scaled to [0, 1], on the backend's device (the GPU with
    // SWIFTTORCH_BACKEND=cuda), split 80/20 with a fixed seed.
    let device = try Runtime.activePriority().defaultDevice
    let digits = try Digits.load()
    let dataset = try TensorDataset(digits.features.to(device) / 16.0, digits.labels.to(device))
    let split = try randomSplit(dataset, fractions: [0.8, 0.2], generator: Generator(seed: 42))
    let (trainSet, testSet) = (split[0], split[1])
    let trainLoader = DataLoader(trainSet, batchSize: 64, shuffle: true, generator: Generator(seed: 7))
    let testLoader = DataLoader(testSet, batchSize: 256)

    // Model, loss and optimizer.
    manualSeed(0)
    let model = try Sequential {
        try Linear(64, 128)
        ReLU()
        try Linear(128, 64)
        ReLU()
        try Linear(64, 10)
    }
    let lossFunction = CrossEntropyLoss()
    let optimizer = try SGD(model.parameters(), lr: 0.01, momentum: 0.9)

    let progress = ProgressReporter(total: trainLoader.count)
    let start = ContinuousClock.now
    for epoch in 1...epochs {
        model.train()
        var totalLoss = 0.0
        for (step, batch) in trainLoader.enumerated() {
            let (inputs, targets) = (batch[0], batch[1])
            optimizer.zeroGrad()
            let loss = try lossFunction(model(inputs), targets)
            try loss.backward()
            try optimizer.step()
            totalLoss += try loss.item()
            progress.update(epoch: epoch, of: epochs, step: step + 1, loss: totalLoss / Double(step + 1))
        }
        progress.finish(epoch: epoch, of: epochs, loss: totalLoss / Double(trainLoader.count))
    }
    let trainingTime = ContinuousClock.now - start

    // Evaluation without recording gradients.
    model.eval()
    var correct = 0
    try withNoGrad {
        for batch in testLoader {
            let predictions = try model(batch[0]).argmax(dim: 1)
            correct += try predictions.eq(batch[1]).sum().item(Int.self)
        }
    }
    let accuracy = Double(correct) / Double(testSet.count)
    let backend = try Runtime.activePriority().description
    print(String(format: "test accuracy: %.2f%% (%d/%d), backend: %@, training time: %@",
                 accuracy * 100, correct, testSet.count, backend, "\(trainingTime)"))

    if let path = options.string("save") {
        try model.save(to: URL(fileURLWithPath: path), metadata: ["model": "digits-mlp 64-128-64-10"])
        print("saved weights to \(path)")
    }
}
