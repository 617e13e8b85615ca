// A convolutional digits classifier: the MLP example's workflow with conv, pool and flatten.
//
//   swift run -c release digits-cnn [--epochs N] [--save weights.safetensors]
//
// conv 3x3 (1→32, padding 1) → ReLU → max-pool 2 → conv 3x3 (32→64, padding 1) → ReLU →
// flatten → linear (1024→10); cross entropy, SGD (lr 0.05, momentum 0.9), batch 64,
// 30 epochs, on the same seeded 80/20 split of the bundled digits (8x8 images, one channel).
import Foundation
import ExampleSupport
import SwiftTorch

runExample("digits-cnn") {
    let options = try ExampleOptions(CommandLine.arguments, defaults: ["epochs": "30"])
    let epochs = try options.int("epochs")

    // Data: the bundled digits as [N, 1, 8, 8] images scaled to [0, 1], split 80/20.
    let data = try DigitsData(imageShape: [1, 8, 8])

    manualSeed(0)
    let model = try Sequential {
        try Conv2d(1, 32, kernelSize: 3, padding: 1)
        ReLU()
        MaxPool2d(kernelSize: 2)
        try Conv2d(32, 64, kernelSize: 3, padding: 1)
        ReLU()
        Flatten()
        try Linear(64 * 4 * 4, 10)
    }
    let optimizer = try SGD(model.parameters(), lr: 0.05, momentum: 0.9)

    let trainingTime = try trainClassifier(model, on: data.train, optimizer: optimizer, epochs: epochs)
    try data.evaluate(model, trainingTime: trainingTime)
    try options.saveIfRequested(model, description: "digits-cnn conv32-conv64-linear")
}
