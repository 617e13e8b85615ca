import SwiftTorchCore

/// A workload too long for ``WorkloadRunner``'s timing loop: a whole training run of a
/// ``DigitsRecipe``, timed once per `swifttorch bench` (no warm-up run), with the test
/// accuracy reported beside the time. Only the training loop is timed: loading the data,
/// building the model and evaluating it are not.
public struct TrainingWorkload {
    /// `digits-mlp-train` or `digits-cnn-train`.
    public let name: String
    /// What it trains.
    public let recipe: DigitsRecipe

    /// A workload that times `recipe`'s training run under `name`.
    public init(name: String, recipe: DigitsRecipe) {
        self.name = name
        self.recipe = recipe
    }

    /// The digits examples' training runs, in the order `swifttorch bench` runs them.
    public static func standard() -> [TrainingWorkload] {
        [TrainingWorkload(name: "digits-mlp-train", recipe: .mlp), TrainingWorkload(name: "digits-cnn-train", recipe: .cnn)]
    }

    /// How a run ended.
    public enum Outcome {
        /// Seconds in the training loop, and the fraction of the test split classified right.
        case finished(seconds: Double, accuracy: Double)
        /// The first epoch predicted more than the limit for all of them.
        case stopped(predictedSeconds: Double)
    }

    /// Trains the recipe from scratch under the active backend. The run stops after its first
    /// epoch when that epoch times the number of epochs exceeds `maxSeconds`.
    public func run(maxSeconds: Double) throws -> Outcome {
        struct Stop: Error { let predicted: Double }
        let data = try DigitsData(imageShape: recipe.imageShape)
        let (model, optimizer) = try recipe.makeModelAndOptimizer()
        let epochs = recipe.epochs
        var seconds = 0.0
        do {
            seconds = try WorkloadRunner.time {
                let clock = ContinuousClock(), start = clock.now
                try trainClassifier(model, on: data.train, optimizer: optimizer, epochs: epochs, afterEpoch: { epoch in
                    guard epoch == 1 else { return }
                    let predicted = WorkloadRunner.seconds(clock.now - start) * Double(epochs)
                    if predicted > maxSeconds { throw Stop(predicted: predicted) }
                })
            }
        } catch let stop as Stop {
            return .stopped(predictedSeconds: stop.predicted)
        }
        return .finished(seconds: seconds, accuracy: try data.accuracy(model))
    }
}
