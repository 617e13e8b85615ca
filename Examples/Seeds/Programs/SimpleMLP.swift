import Foundation
import SwiftTorch

/// The seed's `SimpleMLP` (784-128-10) on MNIST-format files in `folder` (the four IDX
/// files, as `torchvision.datasets.MNIST` reads them): five epochs of SGD with momentum,
/// accuracy under no-grad after each. Returns the last epoch's test accuracy.
public func simpleMLP(folder: URL) async throws -> Double {
    // snippet: seed-simple-mlp
    final class SimpleMLP: Module {
        let flatten = Flatten()
        let fc1 = Linear(28 * 28, 128)
        let fc2 = Linear(128, 10)

        func callAsFunction(_ x: Tensor) throws -> Tensor {
            try fc2(fc1(flatten(x)).relu())
        }
    }

    let train = try MNIST(root: folder, train: true, transform: ToTensor())
    let test = try MNIST(root: folder, train: false, transform: ToTensor())
    let trainLoader = DataLoader(train, batchSize: 64, shuffle: true)
    let testLoader = DataLoader(test, batchSize: 256)

    let model = SimpleMLP()
    let lossFunction = CrossEntropyLoss()
    let optimizer = try SGD(model.parameters(), lr: 0.01, momentum: 0.9)

    for epoch in 1...5 {
        model.train()
        for try await (images, labels) in trainLoader {
            optimizer.zeroGrad()
            let loss = try lossFunction(model(images), labels)
            try loss.backward()
            try optimizer.step()
        }

        model.eval()
        var correct = 0, total = 0
        try await withNoGrad {
            for try await (images, labels) in testLoader {
                let predicted = try model(images).argmax(dim: 1)
                correct += try (predicted .== labels).sum().item(Int.self)
                total += labels.shape[0]
            }
        }
        print("epoch \(epoch): accuracy \(Double(correct) / Double(total))")
    }
    // end snippet
    var correct = 0
    try await withNoGrad {
        for try await (images, labels) in testLoader {
            correct += try (model(images).argmax(dim: 1) .== labels).sum().item(Int.self)
        }
    }
    return Double(correct) / Double(test.count)
}
