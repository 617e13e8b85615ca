import Foundation
import SwiftTorch

/// The 6-8-5 `NeuralNetwork` class of the seed (`Flatten`, then `Sequential` of
/// `Linear`/`ReLU`), printed and run on a random batch of four 2x3 inputs.
public func neuralNetwork() throws -> (model: Module, logits: Tensor, probabilities: Tensor, predicted: Tensor) {
    // snippet: seed-neural-network
    final class NeuralNetwork: Module {
        let flatten = Flatten()
        let linearReluStack = Sequential {
            Linear(6, 8)
            ReLU()
            Linear(8, 5)
        }

        func callAsFunction(_ x: Tensor) throws -> Tensor {
            try linearReluStack(flatten(x))
        }
    }

    let model = NeuralNetwork()
    print(model)
    let logits = try model(Tensor.rand([4, 2, 3]))
    let probabilities = try logits.softmax(dim: 1)
    let predicted = try probabilities.argmax(dim: 1)
    // end snippet
    return (model, logits, probabilities, predicted)
}
