import SwiftTorch

// The examples' face of the shared training loop (SwiftTorch's `trainClassifier`, the one
// `swifttorch bench` times): the same steps, with a progress bar and the running loss.

/// Trains `model` for `epochs` passes over `loader` (`zeroGrad`, forward, cross entropy,
/// `backward`, `step` per batch), reporting the running mean loss. Returns the time taken.
@discardableResult
public func trainWithProgress<D: Dataset>(_ model: some UnaryLayer, on loader: DataLoader<D>, optimizer: some Optimizer,
                                          epochs: Int) throws -> Duration {
    let start = ContinuousClock.now
    let progress = ProgressReporter(total: loader.count)
    var totalLoss = 0.0
    try trainClassifier(model, on: loader, optimizer: optimizer, epochs: epochs, afterStep: { epoch, step, loss in
        if step == 0 { totalLoss = 0 }
        totalLoss += try loss.item()
        progress.update(epoch: epoch, of: epochs, step: step + 1, loss: totalLoss / Double(step + 1))
    }, afterEpoch: { epoch in
        progress.finish(epoch: epoch, of: epochs, loss: totalLoss / Double(loader.count))
    })
    return ContinuousClock.now - start
}
