import SwiftTorchCore

/// An Elman recurrent layer, as PyTorch's `nn.RNN`: `h_t = act(x_t W_ihᵀ + b_ih + h_{t-1} W_hhᵀ + b_hh)`
/// with `act` tanh or ReLU, over `numLayers` stacked layers (see ``RNNBase`` for the
/// options, parameters and their keys).
///
/// <!-- snippet: rnn-relu -->
/// ```swift
/// let rnn = RNN(8, 16, nonlinearity: .relu, batchFirst: true)
/// let (output, h) = try rnn(Tensor.randn([4, 10, 8]))   // [4, 10, 16], [1, 4, 16]
/// ```
public final class RNN: RNNBase {
    /// The activation of each step.
    public enum Nonlinearity: String, Sendable {
        /// tanh or ReLU, PyTorch's `nonlinearity='tanh'` or `'relu'`.
        case tanh, relu
    }

    /// The activation of each step.
    public var nonlinearity: Nonlinearity { mode == .rnnRelu ? .relu : .tanh }

    /// PyTorch's constructor: `nn.RNN(input_size, hidden_size, num_layers=1, nonlinearity='tanh',
    /// bias=True, batch_first=False, dropout=0.0, bidirectional=False)`. A bad option, or
    /// memory that cannot be had, is thrown by the first forward call.
    public init(_ inputSize: Int, _ hiddenSize: Int, numLayers: Int = 1, nonlinearity: Nonlinearity = .tanh,
                bias: Bool = true, batchFirst: Bool = false, dropout: Double = 0, bidirectional: Bool = false,
                dtype: DType = .defaultFloat, device: Device? = nil, generator: Generator = .default) {
        super.init(mode: nonlinearity == .relu ? .rnnRelu : .rnnTanh, inputSize: inputSize, hiddenSize: hiddenSize,
                   numLayers: numLayers, bias: bias, batchFirst: batchFirst, dropout: dropout,
                   bidirectional: bidirectional, dtype: dtype, device: device, generator: generator)
    }

    /// Runs over `input` `[seq, batch, inputSize]` (`[batch, seq, inputSize]` with
    /// `batchFirst`, or unbatched `[seq, inputSize]`) from `h0` `[layers · directions, batch,
    /// hidden]` (zeros when nil). Returns the last layer's outputs at every step
    /// `[seq, batch, directions · hidden]` and the final hidden state of every layer.
    public func callAsFunction(_ input: Tensor, _ h0: Tensor? = nil) throws -> (output: Tensor, h: Tensor) {
        let (output, states) = try run(input, initial: h0.map { [$0] })
        return (output, states[0])
    }
}
