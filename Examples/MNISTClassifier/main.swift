// An MNIST classifier (784-128-64-10 MLP), when pointed at MNIST's IDX files (.gz or not):
//
//   swift run -c release mnist-mlp --data ~/data/MNIST [--epochs 5]
import Foundation
import ExampleSupport
import SwiftTorch

runExample("mnist-mlp") {
    let options = try ExampleOptions(CommandLine.arguments, defaults: ["epochs": "5"], flags: ["data", "save"])
    guard let folder = options.string("data") else {
        print("usage: mnist-mlp --data FOLDER [--epochs N] [--save FILE]\nFOLDER holds train-images-idx3-ubyte[.gz], train-labels-idx1-ubyte[.gz], t10k-...")
        exit(2)
    }
    let epochs = try options.int("epochs")
    let root = URL(fileURLWithPath: (folder as NSString).expandingTildeInPath)
    let transform = Compose([ToTensor(), Normalize(mean: [0.1307], std: [0.3081])])
    let train = try MNIST(root: root, train: true, transform: transform)
    let test = try MNIST(root: root, train: false, transform: transform)
    let trainLoader = DataLoader(train, batchSize: 64, shuffle: true, numWorkers: 2, generator: Generator(seed: 0))
    let testLoader = DataLoader(test, batchSize: 1000, numWorkers: 2)

    manualSeed(0)
    let model = Sequential {
        Flatten()
        Linear(784, 128)
        ReLU()
        Linear(128, 64)
        ReLU()
        Linear(64, 10)
    }
    let optimizer = try SGD(model.parameters(), lr: 0.01, momentum: 0.9)
    try trainWithProgress(model, on: trainLoader, optimizer: optimizer, epochs: epochs)
    let correct = try countCorrect(model, on: testLoader)
    print(String(format: "test accuracy: %.2f%%", 100 * Double(correct) / Double(test.count)))
    try options.saveIfRequested(model, description: "mnist-mlp 784-128-64-10")
}
