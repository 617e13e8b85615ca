// A convolutional digits classifier: the MLP example's workflow with conv, pool and flatten.
//
//   swift run -c release digits-cnn [--epochs N] [--save weights.safetensors] [--metrics digits-cnn-metrics.csv] [--plot digits-cnn-loss.svg] [--tensorboard runs/digits-cnn]
//
// conv 3x3 (1→32, padding 1) → ReLU → max-pool 2 → conv 3x3 (32→64, padding 1) → ReLU →
// flatten → linear (1024→10); cross entropy, SGD (lr 0.05, momentum 0.9), batch 64,
// 30 epochs, on the same seeded 80/20 split of the bundled digits (8x8 images, one channel).
// The recipe is `DigitsRecipe.cnn` (SwiftTorch's Benchmarks/TrainingRecipes.swift), which
// `swifttorch bench`'s digits-cnn-train workload times as well.
import Foundation
import ExampleSupport
import SwiftTorch

runExample("digits-cnn") {
    let options = try ExampleOptions(CommandLine.arguments, defaults: ["epochs": "\(DigitsRecipe.cnn.epochs)",
                                                                       "metrics": "digits-cnn-metrics.csv", "plot": "digits-cnn-loss.svg"])
    let model = try runDigitsExample(.cnn, epochs: try options.int("epochs"),
                                     metrics: URL(fileURLWithPath: options.string("metrics")!),
                                     plot: URL(fileURLWithPath: options.string("plot")!),
                                     tensorboard: options.string("tensorboard").map { URL(fileURLWithPath: $0) })
    try options.saveIfRequested(model, description: "digits-cnn conv32-conv64-linear")
}
