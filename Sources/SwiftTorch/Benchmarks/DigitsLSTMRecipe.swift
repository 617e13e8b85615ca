import SwiftTorchCore

/// The digits classifier of `Examples/DigitsLSTM`: an ``LSTM`` reads each 8×8 digit as 8
/// time steps (rows) of 8 features (pixels), and a linear layer classifies the last step's
/// hidden state.
public final class DigitsLSTMClassifier: Module, UnaryLayer {
    /// The one-layer, batch-first LSTM over the image's rows.
    public let lstm: LSTM
    /// The linear from the last hidden state to the 10 digit logits.
    public let head: Linear

    /// An LSTM of `hiddenSize` over 8 features per step, then `hiddenSize → 10`.
    public init(hiddenSize: Int = 64) {
        lstm = LSTM(8, hiddenSize, batchFirst: true)
        head = Linear(hiddenSize, 10)
        super.init()
    }

    /// `[batch, 8, 8]` images (rows as steps) to `[batch, 10]` logits.
    public func callAsFunction(_ x: Tensor) throws -> Tensor {
        let (_, state) = try lstm(x)
        return try head(state.h[0])   // the one layer's hidden state after the last row
    }
}

/// The `digits-lstm` recipe: ``DigitsLSTMClassifier`` with hidden size 64, Adam (lr 0.01),
/// cross entropy, on ``DigitsData`` with images `[8, 8]` (batches of 64, the split the
/// other digits examples use).
public struct DigitsLSTMRecipe {
    /// Passes over the training split.
    public var epochs = 20
    /// Adam's learning rate.
    public var learningRate = 0.01
    /// The LSTM's hidden size.
    public var hiddenSize = 64

    /// The example's recipe; set the properties to change it.
    public init() {}

    /// A fresh model (after `manualSeed(0)`) and its optimizer.
    public func makeModelAndOptimizer() throws -> (DigitsLSTMClassifier, Adam) {
        manualSeed(0)
        let model = DigitsLSTMClassifier(hiddenSize: hiddenSize)
        try model.checkConstructed()
        return (model, try Adam(model.parameters(), lr: learningRate))
    }

    /// Trains from scratch on `data` (built with `imageShape: [8, 8]`) and returns the model
    /// and its test accuracy.
    public func train(on data: DigitsData, epochs: Int? = nil) throws -> (model: DigitsLSTMClassifier, accuracy: Double) {
        let (model, optimizer) = try makeModelAndOptimizer()
        try trainClassifier(model, on: data.train, optimizer: optimizer, epochs: epochs ?? self.epochs)
        return (model, try data.accuracy(model))
    }
}
