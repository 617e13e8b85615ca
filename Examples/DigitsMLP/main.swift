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
    let data = try DigitsData(imageShape: [64])

    // Model and optimizer (the loss is cross entropy).
    manualSeed(0)
    let model = try Sequential {
        try Linear(64, 128)
        ReLU()
        try Linear(128, 64)
        ReLU()
        try Linear(64, 10)
    }
    let optimizer = try SGD(model.parameters(), lr: 0.01, momentum: 0.9)

    // The loop (Examples/Support/Training.swift): zeroGrad, forward, loss, backward, step.
    let trainingTime = try trainClassifier(model, on: data.train, optimizer: optimizer, epochs: epochs)
    try data.evaluate(model, trainingTime: trainingTime)
    try options.saveIfRequested(model, description: "digits-mlp 64-128-64-10")
}
