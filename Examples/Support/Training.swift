import SwiftTorch

// The examples' face of the shared training loop (SwiftTorch's `trainClassifier`, the one
// `swifttorch bench` times): the same steps, with a progress bar and the running loss.

/// Trains `model` for `epochs` passes over `loader` (`zeroGrad`, forward, cross entropy,
/// `backward`, `step` per batch) with one library progress bar per epoch showing the running
/// loss; `afterEpoch` sees each epoch's mean loss. Off a terminal, one summary line per epoch
/// is printed instead. Returns the time taken.
@discardableResult
public func trainWithProgress<D: Dataset>(_ model: some UnaryLayer, on loader: DataLoader<D>, optimizer: some Optimizer,
                                          epochs: Int,
                                          afterEpoch: (_ epoch: Int, _ meanLoss: Double) throws -> Void = { _, _ in }) throws -> Duration
where D.Sample == (Tensor, Tensor) {
    let start = ContinuousClock.now
    func bar(_ epoch: Int) -> ProgressBar { ProgressBar(total: loader.count, description: "epoch \(epoch)/\(epochs)") }
    var progress = bar(1)
    try trainClassifier(model, on: loader, optimizer: optimizer, epochs: epochs, afterStep: { _, _, loss in
        progress.recordLoss(try loss.item())
        progress.update()
    }, afterEpoch: { epoch in
        let meanLoss = progress.runningLoss ?? .nan
        progress.close()
        if !progress.isActive { print(String(format: "epoch %2d/%d loss %.4f", epoch, epochs, meanLoss)) }
        try afterEpoch(epoch, meanLoss)
        if epoch < epochs { progress = bar(epoch + 1) }  // made before the epoch, so its clock counts the first step
    })
    return ContinuousClock.now - start
}
