// An LSTM digits classifier: each 8x8 digit is read as 8 time steps (rows) of 8 features.
//
//   swift run -c release digits-lstm [--epochs N] [--save weights.safetensors]
//
// LSTM(8 → 64, batch first) → the last step's hidden state → linear (64→10); cross entropy,
// Adam (lr 0.01), batch 64, 20 epochs, on the seeded 80/20 split of the bundled digits that
// digits-mlp and digits-cnn use. The recipe is `DigitsLSTMRecipe` (SwiftTorch's
// Benchmarks/DigitsLSTMRecipe.swift). Target: at least 95% test accuracy.
import Foundation
import ExampleSupport
import SwiftTorch

runExample("digits-lstm") {
    let recipe = DigitsLSTMRecipe()
    let options = try ExampleOptions(CommandLine.arguments, defaults: ["epochs": "\(recipe.epochs)"])
    let data = try DigitsData(imageShape: [8, 8])
    let (model, optimizer) = try recipe.makeModelAndOptimizer()
    print(model)
    let trainingTime = try trainWithProgress(model, on: data.train, optimizer: optimizer, epochs: options.int("epochs"))
    try data.evaluate(model, trainingTime: trainingTime)
    let accuracy = try data.accuracy(model)
    print(accuracy >= 0.95 ? "target met: at least 95% test accuracy"
                           : String(format: "target missed: %.2f%% is below 95%%", 100 * accuracy))
    try options.saveIfRequested(model, description: "digits-lstm lstm64-linear")
}
