import Foundation
import SwiftTorch

// The digits data, split and recipes live in SwiftTorch (Benchmarks/TrainingRecipes.swift),
// shared with `swifttorch bench`'s digits-mlp-train and digits-cnn-train workloads.

extension DigitsData {
    /// Prints `model`'s test accuracy with the backend and the training time.
    public func evaluate(_ model: some UnaryLayer, trainingTime: Duration) throws {
        let correct = try countCorrect(model, on: test)
        let backend = try Runtime.activePriority().description
        print(String(format: "test accuracy: %.2f%% (%d/%d), backend: %@, training time: %@",
                     100 * Double(correct) / Double(testCount), correct, testCount, backend, "\(trainingTime)"))
    }
}

/// Trains `recipe` as its example does: data, model, optimizer, the loop with a progress bar,
/// then the test accuracy; returns the model (to save it). Each epoch's mean training loss
/// and test accuracy go to a CSV log at `metrics` and, at the end, a plot at `plot` (SVG);
/// with `tensorboard`, also to TensorBoard event files in that folder, with the learning rate.
public func runDigitsExample(_ recipe: DigitsRecipe, epochs: Int, metrics: URL? = nil, plot: URL? = nil,
                             tensorboard: URL? = nil) throws -> Sequential {
    // Data: the bundled digits, scaled to [0, 1], on the backend's device (the GPU with
    // SWIFTTORCH_BACKEND=cuda), split 80/20 with a fixed seed.
    let data = try DigitsData(imageShape: recipe.imageShape)
    let (model, optimizer) = try recipe.makeModelAndOptimizer()
    let log = MetricsLog(url: metrics)
    let board = try tensorboard.map { try SummaryWriter(logDir: $0) }
    var evaluationTime = Duration.zero  // left out of the training time
    let trainingTime = try trainWithProgress(model, on: data.train, optimizer: optimizer, epochs: epochs) { epoch, loss in
        let start = ContinuousClock.now
        let accuracy = try data.accuracy(model)
        try log.append(epoch: epoch, ["train_loss": loss, "test_accuracy": accuracy])
        try board?.addScalar("loss/train", loss, globalStep: epoch)
        try board?.addScalar("accuracy/test", accuracy, globalStep: epoch)
        try board?.addScalar("learning_rate", optimizer.learningRates[0], globalStep: epoch)
        evaluationTime += ContinuousClock.now - start
    }
    try data.evaluate(model, trainingTime: trainingTime - evaluationTime)
    if let metrics { print("wrote \(metrics.path)") }
    if let board {
        try board.close()
        print("wrote TensorBoard events to \(board.logDir.path) (tensorboard --logdir \(board.logDir.path))")
    }
    if let plot {
        try log.writePlot(to: plot)
        print("wrote \(plot.path)")
    }
    return model
}
