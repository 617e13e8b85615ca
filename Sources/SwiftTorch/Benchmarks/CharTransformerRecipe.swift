import SwiftTorchCore

/// How `char-transformer` trains a ``CharTransformer``: Adam, random training windows,
/// a fixed set of validation windows, the mean training and validation loss per epoch.
/// The defaults are the example's; tests and the benchmark use smaller values.
public struct CharTransformerRecipe {
    /// Epochs to train, each followed by a validation pass.
    public var epochs = 3
    /// Optimizer steps per epoch, each on a fresh random batch.
    public var stepsPerEpoch = 200
    /// Windows per batch, in training and validation.
    public var batchSize = 32
    /// Characters per window, and the model's `contextLength`.
    public var contextLength = 64
    /// The model's embedding width (PyTorch's `d_model`).
    public var dModel = 64
    /// Attention heads per layer.
    public var nhead = 4
    /// Encoder layers.
    public var numLayers = 2
    /// The width of each layer's feed-forward block (PyTorch's `dim_feedforward`).
    public var dimFeedforward = 256
    /// The model's dropout probability.
    public var dropout = 0.1
    /// Adam's learning rate.
    public var learningRate = 3e-3
    /// Validation batches per evaluation (consecutive windows of the validation text).
    public var validationBatches = 8

    /// The example's recipe; set the properties to change it.
    public init() {}

    /// A fresh model (after `manualSeed(0)`) for `corpus`.
    public func makeModel(for corpus: CharacterCorpus) throws -> CharTransformer {
        manualSeed(0)
        let model = CharTransformer(vocabularySize: corpus.vocabulary.count, contextLength: contextLength, dModel: dModel,
                                    nhead: nhead, numLayers: numLayers, dimFeedforward: dimFeedforward, dropout: dropout)
        try model.checkConstructed()
        return model
    }

    /// The validation batches every evaluation uses.
    public func validationSet(_ corpus: CharacterCorpus) throws -> [(inputs: Tensor, targets: Tensor)] {
        try corpus.validationBatches(batchSize: batchSize, contextLength: contextLength, maxBatches: validationBatches)
    }

    /// Trains a fresh model on `corpus`; `afterEpoch` sees each epoch's mean training loss
    /// and the validation loss (nats per character). Returns the model.
    public func train(on corpus: CharacterCorpus,
                      afterEpoch: (_ epoch: Int, _ trainLoss: Double, _ validationLoss: Double) throws -> Void = { _, _, _ in })
        throws -> CharTransformer {
        let model = try makeModel(for: corpus)
        let optimizer = try Adam(model.parameters(), lr: learningRate)
        let validation = try validationSet(corpus)
        let batches = Generator(seed: 11)
        for epoch in 1...epochs {
            model.train()
            var total = 0.0
            for _ in 0..<stepsPerEpoch {
                let (inputs, targets) = try corpus.randomBatch(corpus.train, batchSize: batchSize, contextLength: contextLength,
                                                               generator: batches)
                optimizer.zeroGrad()
                let loss = try model.loss(inputs, targets)
                try loss.backward()
                try optimizer.step()
                total += try loss.item(Double.self)
            }
            try afterEpoch(epoch, total / Double(stepsPerEpoch), try model.meanLoss(validation))
        }
        return model
    }
}
