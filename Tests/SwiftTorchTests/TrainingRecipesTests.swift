import SwiftTorch
import Testing

// Benchmarks/pytorch_training.py reproduces SwiftTorch's digits split and batch order in
// Python (SwiftTorchGenerator). These values come from that script: if the generator or
// the split rule changes, update both sides, or PyTorch trains on another split.

@Suite("Training recipes")
struct TrainingRecipesTests {
    @Test func generatorMatchesThePythonReproduction() {
        #expect(Generator(seed: 0).next(1) == [11_091_344_671_253_066_420])
    }

    @Test func digitsSplitMatchesThePythonReproduction() throws {
        let data = try DigitsData(imageShape: [64])
        #expect(data.train.dataset.count == 1438)
        #expect(data.testCount == 359)
        #expect(Array(data.train.dataset.indices.prefix(8)) == [826, 1424, 1534, 1780, 55, 1183, 474, 81])
        #expect(Array(data.test.dataset.indices.prefix(8)) == [809, 371, 429, 7, 247, 1142, 530, 43])
    }

    @Test func batchOrderOfTheFirstEpochMatchesThePythonReproduction() {
        #expect(Array(Generator(seed: 7).permutation(1438).prefix(8)) == [592, 43, 601, 351, 1393, 690, 8, 348])
    }
}
