import SwiftTorchCore

/// A gated recurrent unit layer, as PyTorch's `nn.GRU`: `r = σ(x W_irᵀ + b_ir + h W_hrᵀ + b_hr)`,
/// `z` alike, `n = tanh(x W_inᵀ + b_in + r (h W_hnᵀ + b_hn))`, `h' = (1 - z) n + z h`, over
/// `numLayers` stacked layers (see ``RNNBase`` for the options, parameters and their keys).
///
/// <!-- snippet: gru-initial-state -->
/// ```swift
/// let gru = GRU(8, 16)
/// let h0 = try Tensor.zeros([1, 4, 16])
/// let (output, h) = try gru(Tensor.randn([10, 4, 8]), h0)   // [10, 4, 16], [1, 4, 16]
/// ```
public final class GRU: RNNBase {
    /// PyTorch's constructor: `nn.GRU(input_size, hidden_size, num_layers=1, bias=True,
    /// batch_first=False, dropout=0.0, bidirectional=False)`. A bad option, or memory that
    /// cannot be had, is thrown by the first forward call.
    public init(_ inputSize: Int, _ hiddenSize: Int, numLayers: Int = 1, bias: Bool = true, batchFirst: Bool = false,
                dropout: Double = 0, bidirectional: Bool = false, dtype: DType = .defaultFloat, device: Device? = nil,
                generator: Generator = .default) {
        super.init(mode: .gru, inputSize: inputSize, hiddenSize: hiddenSize, numLayers: numLayers, bias: bias,
                   batchFirst: batchFirst, dropout: dropout, bidirectional: bidirectional, dtype: dtype, device: device,
                   generator: generator)
    }

    /// Runs over `input` as ``RNN`` does, from `h0` (zeros when nil); returns the outputs at
    /// every step and the final hidden state of every layer.
    public func callAsFunction(_ input: Tensor, _ h0: Tensor? = nil) throws -> (output: Tensor, h: Tensor) {
        let (output, states) = try run(input, initial: h0.map { [$0] })
        return (output, states[0])
    }
}
