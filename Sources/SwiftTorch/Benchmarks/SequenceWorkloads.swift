import SwiftTorchCore

// The sequence models' training steps, timed by `swifttorch bench` and, in PyTorch, by
// Benchmarks/pytorch_sequence.py (same shapes, optimizers and losses; each library draws
// its own weights and data).

/// `lstm-step`: one training step of a 2-layer LSTM (64 input features, hidden 128) over
/// sequences of 32 steps, batch 64, classifying the last layer's final hidden state into 10
/// classes with a linear head; cross entropy, SGD (lr 0.01, momentum 0.9), after `manualSeed(0)`.
public struct LSTMStep {
    /// The 2-layer, batch-first LSTM, 64 features in, hidden 128.
    public let lstm = LSTM(64, 128, numLayers: 2, batchFirst: true)
    /// The linear from the last layer's final hidden state to 10 logits.
    public let head = Linear(128, 10)
    /// SGD over the LSTM's and the head's parameters (lr 0.01, momentum 0.9).
    public let optimizer: SGD
    /// The batch: float32 `[64, 32, 64]`.
    public let inputs: Tensor
    /// The labels: int64 `[64]` in `0..<10`.
    public let targets: Tensor

    /// The step's model, optimizer and batch, after `manualSeed(0)`.
    public init() throws {
        manualSeed(0)
        optimizer = try SGD(lstm.parameters() + head.parameters(), lr: 0.01, momentum: 0.9)
        inputs = try Tensor.randn([64, 32, 64])
        targets = try Tensor.randint(high: 10, [64])
    }

    /// One step: `zeroGrad`, forward, loss, `backward`, `step`.
    public func step() throws {
        optimizer.zeroGrad()
        let (_, state) = try lstm(inputs)
        try crossEntropy(head(state.h[1]), targets).backward()
        try optimizer.step()
    }
}

/// `transformer-step`: one training step of `char-transformer`'s model (``CharTransformer``
/// with the example's sizes, a vocabulary of 96, dropout 0.1 in training mode) on a fixed
/// random batch of 32 windows of 64 characters; next-character cross entropy, Adam (lr 3e-3).
public struct TransformerStep {
    /// The model: ``CharTransformer`` with ``CharTransformerRecipe``'s sizes and a vocabulary of 96.
    public let model: CharTransformer
    /// Adam over the model's parameters (lr 3e-3).
    public let optimizer: Adam
    /// The batch: int64 character indices `[32, 64]` in `0..<96`.
    public let inputs: Tensor
    /// The next-character targets: int64 `[32, 64]` in `0..<96`.
    public let targets: Tensor

    /// The step's model, optimizer and batch, after `manualSeed(0)`.
    public init() throws {
        manualSeed(0)
        let recipe = CharTransformerRecipe()
        model = CharTransformer(vocabularySize: 96, contextLength: recipe.contextLength, dModel: recipe.dModel, nhead: recipe.nhead,
                                numLayers: recipe.numLayers, dimFeedforward: recipe.dimFeedforward, dropout: recipe.dropout)
        optimizer = try Adam(model.parameters(), lr: recipe.learningRate)
        inputs = try Tensor.randint(high: 96, [recipe.batchSize, recipe.contextLength])
        targets = try Tensor.randint(high: 96, [recipe.batchSize, recipe.contextLength])
    }

    /// One step: `zeroGrad`, forward, loss, `backward`, `step`.
    public func step() throws {
        optimizer.zeroGrad()
        try model.loss(inputs, targets).backward()
        try optimizer.step()
    }
}

extension BenchmarkWorkload {
    /// `lstm-step` and `transformer-step`, in milliseconds per training step.
    static func sequenceTrainingSteps() -> [BenchmarkWorkload] {
        [
            BenchmarkWorkload(name: "lstm-step", unit: .milliseconds, operators: ["addmm", "linear", "sigmoid", "tanh", "mul"]) {
                let lstm = try LSTMStep()
                return { try lstm.step() }
            },
            BenchmarkWorkload(name: "transformer-step", unit: .milliseconds, operators: ["linear", "matmul", "softmax", "layer_norm"]) {
                let transformer = try TransformerStep()
                return { try transformer.step() }
            },
        ]
    }
}
