import Foundation
import Testing
import SwiftTorch

/// Small versions of the `digits-lstm` and `char-transformer` examples, on the real data.
@Suite("Sequence examples: small runs reach real targets", .serialized)
struct SequenceExampleTests {
    @Test("digits-lstm: a few epochs of the recipe classify the held-out digits")
    func digitsLSTM() throws {
        let data = try DigitsData(imageShape: [8, 8])
        var recipe = DigitsLSTMRecipe()
        recipe.epochs = 6
        let (model, accuracy) = try recipe.train(on: data)
        #expect(accuracy >= 0.9, "test accuracy \(accuracy) after \(recipe.epochs) epochs")
        #expect(try model(Tensor.zeros([3, 8, 8])).shape == [3, 10])
    }

    @Test("char-transformer: a small model falls well below the unigram baseline, samples, and reloads to the same loss")
    func charTransformer() throws {
        let corpus = try CharacterCorpus.commonLicenses()
        #expect(corpus.vocabulary.count > 60 && corpus.vocabulary.count < 100)
        #expect(corpus.validation.count > 4_000)
        let baseline = corpus.unigramBaseline
        #expect(baseline > 2.8 && baseline < 3.3, "unigram baseline \(baseline) nats of English characters")

        var recipe = CharTransformerRecipe()
        (recipe.epochs, recipe.stepsPerEpoch, recipe.contextLength, recipe.dModel, recipe.dimFeedforward) = (2, 60, 32, 32, 64)
        (recipe.numLayers, recipe.dropout, recipe.validationBatches) = (1, 0, 4)
        var losses: [(train: Double, validation: Double)] = []
        let model = try recipe.train(on: corpus) { _, train, validation in losses.append((train, validation)) }
        #expect(losses.count == 2)
        let last = try #require(losses.last?.validation)
        #expect(last < baseline - 0.4, "validation loss \(last) against the baseline \(baseline)")
        #expect(losses[1].train < losses[0].train)

        let sample = try model.sample(corpus, prompt: "The ", length: 40, temperature: 0.8, generator: Generator(seed: 1))
        #expect(sample.count == 40)
        #expect(sample.allSatisfy { corpus.vocabulary.contains($0) })

        let url = FileManager.default.temporaryDirectory.appendingPathComponent("char-transformer-\(UUID().uuidString).safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        try model.save(to: url)
        let reloaded = try recipe.makeModel(for: corpus)
        let validation = try recipe.validationSet(corpus)
        #expect(try reloaded.meanLoss(validation) != model.meanLoss(validation))   // fresh weights differ
        try reloaded.load(from: url)
        #expect(try reloaded.meanLoss(validation) == model.meanLoss(validation))
    }

    @Test("the character corpus: a contiguous split, encoding round trips, and unknown characters throw")
    func corpus() throws {
        let corpus = try CharacterCorpus(text: "abracadabra", validationFraction: 0.25)
        #expect(corpus.vocabulary == ["a", "b", "c", "d", "r"])
        #expect(corpus.decode(corpus.train) == "abracada")
        #expect(corpus.decode(corpus.validation) == "bra")
        #expect(try corpus.encode("cab") == [2, 0, 1])
        #expect(throws: TorchError.self) { try corpus.encode("z") }
        // Add-one smoothed training counts a:5, b:2, c:2, d:2, r:2 of 13; validation "bra".
        let expected = -(2 * Foundation.log(2.0 / 13) + Foundation.log(5.0 / 13)) / 3
        #expect(Swift.abs(corpus.unigramBaseline - expected) < 1e-12)
    }
}
