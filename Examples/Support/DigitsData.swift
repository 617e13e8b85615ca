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
/// then the test accuracy; returns the model (to save it).
public func runDigitsExample(_ recipe: DigitsRecipe, epochs: Int) throws -> Sequential {
    // Data: the bundled digits, scaled to [0, 1], on the backend's device (the GPU with
    // SWIFTTORCH_BACKEND=cuda), split 80/20 with a fixed seed.
    let data = try DigitsData(imageShape: recipe.imageShape)
    let (model, optimizer) = try recipe.makeModelAndOptimizer()
    let trainingTime = try trainWithProgress(model, on: data.train, optimizer: optimizer, epochs: epochs)
    try data.evaluate(model, trainingTime: trainingTime)
    return model
}
