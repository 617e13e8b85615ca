// The digits classifier: PyTorch's beginner workflow in Swift.
//
//   swift run -c release digits-mlp [--epochs N] [--save weights.safetensors] [--metrics digits-mlp-metrics.csv] [--plot digits-mlp-loss.svg] [--tensorboard runs/digits-mlp]
//
// An MLP 64-128-64-10 with ReLU, cross entropy, SGD (lr 0.01, momentum 0.9), batch 64,
// 30 epochs, on a seeded 80/20 split of the bundled digits (8x8 images, pixels / 16).
// The recipe (`DigitsRecipe.mlp`), the data (`DigitsData`) and the loop (`trainClassifier`:
// zeroGrad, forward, loss, backward, step) are SwiftTorch's Benchmarks/TrainingRecipes.swift,
// which `swifttorch bench`'s digits-mlp-train workload times as well.
import Foundation
import ExampleSupport
import SwiftTorch

runExample("digits-mlp") {
    let options = try ExampleOptions(CommandLine.arguments, defaults: ["epochs": "\(DigitsRecipe.mlp.epochs)",
                                                                       "metrics": "digits-mlp-metrics.csv", "plot": "digits-mlp-loss.svg"])
    let model = try runDigitsExample(.mlp, epochs: try options.int("epochs"),
                                     metrics: URL(fileURLWithPath: options.string("metrics")!),
                                     plot: URL(fileURLWithPath: options.string("plot")!),
                                     tensorboard: options.string("tensorboard").map { URL(fileURLWithPath: $0) })
    try options.saveIfRequested(model, description: "digits-mlp 64-128-64-10")
}
