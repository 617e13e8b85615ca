import Foundation
import SeedPrograms
import SwiftTorch
import Testing

// The seed tutorials' programs (Examples/Seeds/Programs, shown beside PyTorch's in
// Docs/pytorch-to-swifttorch.md, whose blocks DocSnippetTests keeps equal to them) run on
// every CPU backend here, and what they computed is checked.

@Suite("Seed programs run on every CPU backend", .serialized)
struct SeedProgramTests {
    static let backends = ["reference", "openmp", "blas"]

    @Test("x ** 2, backward, x.grad", arguments: backends)
    func squareBackward(_ backend: String) throws {
        let grad = try Runtime.withBackend(backend) { try SeedPrograms.squareBackward() }
        #expect(try grad.toArray(of: Double.self) == [2, 4, 6])
    }

    @Test("Linear(3, 1) with MSELoss and SGD", arguments: backends)
    func linearRegression(_ backend: String) throws {
        let model = try Runtime.withBackend(backend) { try SeedPrograms.linearRegression() }
        for (learned, truth) in zip(try model.weight.toArray(of: Double.self), [2.0, -3.0, 0.5]) {
            #expect(abs(learned - truth) < 1e-3)
        }
        #expect(abs(try model.bias!.item() - 1.0) < 1e-3)
    }

    @Test("the 6-8-5 NeuralNetwork class with Flatten and Sequential", arguments: backends)
    func neuralNetwork(_ backend: String) throws {
        let run = try Runtime.withBackend(backend) { try SeedPrograms.neuralNetwork() }
        #expect(run.logits.shape == [4, 5])
        #expect(run.predicted.shape == [4])
        #expect(try run.probabilities.sum(dim: 1).toArray(of: Double.self).allSatisfy { abs($0 - 1) < 1e-6 })
        #expect(try run.predicted.toArray(of: Int.self) == run.logits.argmax(dim: 1).toArray(of: Int.self))
        #expect(run.model.description == (try DocSnippetFile("pytorch-to-swifttorch.md").output("seed-neural-network")))
    }

    @Test("SimpleMLP on MNIST-format data: momentum, eval() and accuracy under no-grad", arguments: backends)
    func simpleMLP(_ backend: String) async throws {
        let folder = try MNISTFormatDigits.writeSmallSet()
        defer { try? FileManager.default.removeItem(at: folder) }
        let accuracy = try await Runtime.withBackend(backend) {
            manualSeed(0)   // fixes the initial weights and the shuffles, so the accuracy is repeatable
            return try await SeedPrograms.simpleMLP(folder: folder)
        }
        #expect(accuracy > 0.9)
    }

    @Test("the same model trained with Adam", arguments: backends)
    func adam(_ backend: String) throws {
        #expect(try Runtime.withBackend(backend) { try SeedPrograms.adam() } < 1e-2)
    }

    @Test("cuda if it is there, else the CPU")
    func deviceLine() throws {
        let y = try SeedPrograms.deviceLine()
        #expect(y.shape == [2, 5])
        #expect(y.device == (cuda.isAvailable ? .cuda : .cpu))
    }
}
