import SwiftTorchCore

/// A long short-term memory layer, as PyTorch's `nn.LSTM`: gates `i, f, g, o` from
/// `x_t W_ihᵀ + b_ih + h_{t-1} W_hhᵀ + b_hh`, then `c_t = σ(f) c_{t-1} + σ(i) tanh(g)` and
/// `h_t = σ(o) tanh(c_t)`, over `numLayers` stacked layers (see ``RNNBase`` for the
/// options, parameters and their keys; `proj_size` is not offered).
///
/// <!-- snippet: lstm-bidirectional -->
/// ```swift
/// let lstm = LSTM(8, 16, numLayers: 2, batchFirst: true, bidirectional: true)
/// let (output, state) = try lstm(Tensor.randn([4, 10, 8]))   // output [4, 10, 32]
/// let lastHidden = state.h                                      // [4, 4, 16]: layers · directions first
/// ```
public final class LSTM: RNNBase {
    /// PyTorch's constructor: `nn.LSTM(input_size, hidden_size, num_layers=1, bias=True,
    /// batch_first=False, dropout=0.0, bidirectional=False)`. A bad option, or memory that
    /// cannot be had, is thrown by the first forward call.
    public init(_ inputSize: Int, _ hiddenSize: Int, numLayers: Int = 1, bias: Bool = true, batchFirst: Bool = false,
                dropout: Double = 0, bidirectional: Bool = false, dtype: DType = .defaultFloat, device: Device? = nil,
                generator: Generator = .default) {
        super.init(mode: .lstm, inputSize: inputSize, hiddenSize: hiddenSize, numLayers: numLayers, bias: bias,
                   batchFirst: batchFirst, dropout: dropout, bidirectional: bidirectional, dtype: dtype, device: device,
                   generator: generator)
    }

    /// Runs over `input` `[seq, batch, inputSize]` (`[batch, seq, inputSize]` with
    /// `batchFirst`, or unbatched `[seq, inputSize]`) from `state` = `(h0, c0)`, each
    /// `[layers · directions, batch, hidden]` (zeros when nil). Returns the last layer's
    /// outputs at every step and the final `(h_n, c_n)` of every layer, as PyTorch's
    /// `output, (h_n, c_n)`.
    public func callAsFunction(_ input: Tensor, _ state: (h: Tensor, c: Tensor)? = nil) throws
        -> (output: Tensor, state: (h: Tensor, c: Tensor)) {
        let (output, states) = try run(input, initial: state.map { [$0.h, $0.c] })
        return (output, (states[0], states[1]))
    }
}
