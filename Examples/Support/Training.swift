import SwiftTorch

// The classification recipe the examples share, written as PyTorch's beginner loop.

/// Trains `model` for `epochs` passes over `loader`: for each batch, `zeroGrad`, forward,
/// cross entropy, `backward`, `step`, reporting the running mean loss. Returns the time taken.
@discardableResult
public func trainClassifier<D: Dataset>(_ model: some UnaryLayer, on loader: DataLoader<D>, optimizer: some Optimizer,
                                        epochs: Int) throws -> Duration {
    let start = ContinuousClock.now
    let lossFunction = CrossEntropyLoss()
    let progress = ProgressReporter(total: loader.count)
    for epoch in 1...epochs {
        model.train()
        var totalLoss = 0.0
        for (step, batch) in loader.enumerated() {
            let (inputs, targets) = (batch[0], batch[1])
            optimizer.zeroGrad()
            let loss = try lossFunction(model(inputs), targets)
            try loss.backward()
            try optimizer.step()
            totalLoss += try loss.item()
            progress.update(epoch: epoch, of: epochs, step: step + 1, loss: totalLoss / Double(step + 1))
        }
        progress.finish(epoch: epoch, of: epochs, loss: totalLoss / Double(loader.count))
    }
    return ContinuousClock.now - start
}

/// How many of `loader`'s samples `model` classifies correctly (argmax of its outputs), in
/// evaluation mode and without recording gradients.
public func countCorrect<D: Dataset>(_ model: some UnaryLayer, on loader: DataLoader<D>) throws -> Int {
    model.eval()
    var correct = 0
    try withNoGrad {
        for batch in loader {
            correct += try model(batch[0]).argmax(dim: 1).eq(batch[1]).sum().item(Int.self)
        }
    }
    return correct
}
