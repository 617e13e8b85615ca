import SwiftTorchCore

// The sequence models' training steps, timed by `swifttorch bench` and, in PyTorch, by
// Benchmarks/pytorch_sequence.py (same shapes, optimizers and losses; each library draws
// its own weights and data).

/// `lstm-step` and `gru-step`: one training step of a 2-layer recurrent network (64 input
/// features, hidden 128) over sequences of 32 steps, batch 64, classifying the last layer's
/// final hidden state into 10 classes with a linear head; cross entropy, SGD (lr 0.01,
/// momentum 0.9), after `manualSeed(0)`.
public struct RecurrentStep {
    /// Which recurrent network: 2 layers, batch first, 64 features in, hidden 128.
    public enum Kind: Sendable {
        /// ``LSTM``, classified from the last layer's final `h`.
        case lstm
        /// ``GRU``.
        case gru
    }
    /// The recurrent network's parameters and the head's, which SGD updates.
    public let parameters: [Tensor]
    /// The linear from the last layer's final hidden state to 10 logits.
    public let head = Linear(128, 10)
    /// The network's last layer's final hidden state for a batch, `[64, 128]`.
    private let finalHidden: (Tensor) throws -> Tensor
    /// SGD over `parameters` (lr 0.01, momentum 0.9).
    public let optimizer: SGD
    /// The batch: float32 `[64, 32, 64]`.
    public let inputs: Tensor
    /// The labels: int64 `[64]` in `0..<10`.
    public let targets: Tensor

    /// The step's model, optimizer and batch, after `manualSeed(0)`.
    public init(_ kind: Kind) throws {
        manualSeed(0)
        switch kind {
        case .lstm:
            let lstm = LSTM(64, 128, numLayers: 2, batchFirst: true)
            parameters = lstm.parameters()
            finalHidden = { try lstm($0).state.h[1] }
        case .gru:
            let gru = GRU(64, 128, numLayers: 2, batchFirst: true)
            parameters = gru.parameters()
            finalHidden = { try gru($0).h[1] }
        }
        optimizer = try SGD(parameters + head.parameters(), lr: 0.01, momentum: 0.9)
        inputs = try Tensor.randn([64, 32, 64])
        targets = try Tensor.randint(high: 10, [64])
    }

    /// One step: `zeroGrad`, forward, loss, `backward`, `step`.
    public func step() throws {
        optimizer.zeroGrad()
        try crossEntropy(head(finalHidden(inputs)), targets).backward()
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
    /// `lstm-step`, `gru-step` and `transformer-step`, in milliseconds per training step.
    static func sequenceTrainingSteps() -> [BenchmarkWorkload] {
        [
            BenchmarkWorkload(name: "lstm-step", unit: .milliseconds, operators: ["_lstm_layer", "_lstm_layer_backward", "linear"]) {
                let lstm = try RecurrentStep(.lstm)
                return { try lstm.step() }
            },
            BenchmarkWorkload(name: "gru-step", unit: .milliseconds, operators: ["_thnn_fused_gru_cell", "addmm", "linear"]) {
                let gru = try RecurrentStep(.gru)
                return { try gru.step() }
            },
            BenchmarkWorkload(name: "transformer-step", unit: .milliseconds, operators: ["linear", "matmul", "softmax", "layer_norm"]) {
                let transformer = try TransformerStep()
                return { try transformer.step() }
            },
        ]
    }
}
