import SwiftTorchCore

/// What ``RNN``, ``LSTM`` and ``GRU`` share, as PyTorch's `nn.RNNBase`: the constructor
/// options, the parameters under PyTorch's state-dict keys, and the loop over layers,
/// directions and time steps.
///
/// Parameters per layer `k` and direction (`_reverse` for the backward one), in PyTorch's
/// order: `weight_ih_lk` `[G·H, inputSize]` (layer 0) or `[G·H, D·H]`, `weight_hh_lk`
/// `[G·H, H]`, `bias_ih_lk` and `bias_hh_lk` `[G·H]`, where `G` is 1 (RNN), 4 (LSTM, gates
/// i, f, g, o) or 3 (GRU, gates r, z, n). All start uniform in `[-1/sqrt(H), 1/sqrt(H))`.
/// PyTorch's `proj_size` (LSTM projections) is not offered.
public class RNNBase: Module {
    /// The recurrence a layer runs.
    public enum Mode: String, Sendable {
        /// An Elman RNN with tanh or ReLU, an LSTM or a GRU; the raw value is PyTorch's `mode` string.
        case rnnTanh = "RNN_TANH", rnnRelu = "RNN_RELU", lstm = "LSTM", gru = "GRU"

        /// Gates stacked in each weight: `G` above.
        var gateCount: Int {
            switch self {
            case .rnnTanh, .rnnRelu: 1
            case .lstm: 4
            case .gru: 3
            }
        }
    }

    /// The recurrence this layer runs (PyTorch's `mode`).
    public let mode: Mode
    /// Features of each input step.
    public let inputSize: Int
    /// Features of the hidden state.
    public let hiddenSize: Int
    /// Stacked recurrent layers; each one after the first reads the previous one's output.
    public let numLayers: Int
    /// Whether the layers have `bias_ih` and `bias_hh`.
    public let bias: Bool
    /// Whether inputs and outputs are `[batch, seq, feature]` instead of `[seq, batch, feature]`
    /// (the states stay `[layers · directions, batch, hidden]` either way, as in PyTorch).
    public let batchFirst: Bool
    /// Dropout probability on the outputs of each layer but the last, in training mode.
    public let dropout: Double
    /// Whether each layer also runs backwards over the sequence, its outputs concatenated.
    public let bidirectional: Bool
    /// Where the dropout masks come from.
    public let generator: Generator

    /// The parameters in PyTorch's order, each under its state-dict key.
    private let flatParameters: [Parameter<Tensor>]

    /// 1, or 2 when bidirectional.
    public var numDirections: Int { bidirectional ? 2 : 1 }

    init(mode: Mode, inputSize: Int, hiddenSize: Int, numLayers: Int, bias: Bool, batchFirst: Bool, dropout: Double,
         bidirectional: Bool, dtype: DType, device: Device?, generator: Generator) {
        self.mode = mode
        self.inputSize = inputSize
        self.hiddenSize = hiddenSize
        self.numLayers = numLayers
        self.bias = bias
        self.batchFirst = batchFirst
        self.dropout = dropout
        self.bidirectional = bidirectional
        self.generator = generator
        let name = mode.moduleName
        let made = LayerTensors(name) { () throws -> [(String, Tensor)] in
            guard hiddenSize > 0 else { throw TorchError(.invalidArgument, "\(name): hidden_size must be greater than zero, got \(hiddenSize)") }
            guard numLayers > 0 else { throw TorchError(.invalidArgument, "\(name): num_layers must be greater than zero, got \(numLayers)") }
            guard inputSize >= 0 else { throw TorchError(.invalidArgument, "\(name): input_size must be non-negative, got \(inputSize)") }
            guard (0...1).contains(dropout) else {
                throw TorchError(.invalidArgument, "\(name): dropout should be a number in range [0, 1] representing the probability of an element being zeroed, got \(dropout)")
            }
            let bound = 1 / Double(hiddenSize).squareRoot()
            let rows = mode.gateCount * hiddenSize
            var tensors: [(String, Tensor)] = []
            for layer in 0..<numLayers {
                for direction in 0..<(bidirectional ? 2 : 1) {
                    let suffix = "_l\(layer)" + (direction == 1 ? "_reverse" : "")
                    let layerInput = layer == 0 ? inputSize : hiddenSize * (bidirectional ? 2 : 1)
                    var shapes = [("weight_ih", [rows, layerInput]), ("weight_hh", [rows, hiddenSize])]
                    if bias { shapes += [("bias_ih", [rows]), ("bias_hh", [rows])] }
                    for (key, shape) in shapes {
                        tensors.append((key + suffix, try Init.uniform(shape, low: -bound, high: bound, dtype: dtype,
                                                                         device: device, generator: generator)))
                    }
                }
            }
            return tensors
        }
        flatParameters = (made.value ?? []).map { Parameter(wrappedValue: $0.1, key: $0.0) }
        super.init()
        constructionError = made.error
    }

    /// The parameters are an array, which reflection does not see; they join the module's
    /// own slots here, under their PyTorch keys, so `namedParameters()`, `stateDict()`,
    /// `loadStateDict` and `to(_:)` treat them as any other parameter.
    override func ownSlots() -> [(key: String, slot: ModuleTensorSlot)] {
        super.ownSlots() + flatParameters.map { (key: $0.key ?? "", slot: $0 as ModuleTensorSlot) }
    }

    /// The weights of one layer and direction (0 forward, 1 reverse).
    public func weights(layer: Int, direction: Int) -> (ih: Tensor, hh: Tensor, biasIh: Tensor?, biasHh: Tensor?) {
        let perGroup = bias ? 4 : 2
        let start = (layer * numDirections + direction) * perGroup
        let p = flatParameters[start..<(start + perGroup)].map(\.wrappedValue)
        return (p[0], p[1], bias ? p[2] : nil, bias ? p[3] : nil)
    }

    /// `4, 5, num_layers=2, batch_first=True`, as PyTorch prints it (only what differs
    /// from the defaults after the sizes).
    public override var extraRepr: String {
        var s = "\(inputSize), \(hiddenSize)"
        if numLayers != 1 { s += ", num_layers=\(numLayers)" }
        if !bias { s += ", bias=False" }
        if batchFirst { s += ", batch_first=True" }
        if dropout != 0 { s += ", dropout=\(dropout)" }
        if bidirectional { s += ", bidirectional=True" }
        return s
    }

    // MARK: Forward

    /// Runs every layer over `input`; `initial` holds the states (`[h0]`, or `[h0, c0]` for
    /// an LSTM), each `[layers · directions, batch, hidden]` (no batch dim for a 2-d input),
    /// zeros when nil. Returns the output sequence and the final states, shaped alike.
    func run(_ input: Tensor, initial: [Tensor]?) throws -> (output: Tensor, states: [Tensor]) {
        try throwConstructionError()
        let name = mode.moduleName
        guard input.rank == 2 || input.rank == 3 else {
            throw TorchError(.shapeMismatch, "\(name): Expected input to be 2-D or 3-D but received \(input.rank)-D tensor (shape \(describe(shape: input.shape)))")
        }
        guard input.shape[input.rank - 1] == inputSize else {
            throw TorchError(.shapeMismatch, "\(name): input.size(-1) must be equal to input_size. Expected \(inputSize), got \(input.shape[input.rank - 1]) (input shape \(describe(shape: input.shape)))")
        }
        let batched = input.rank == 3
        guard input.shape[0] > 0, !batched || input.shape[1] > 0 else {
            throw TorchError(.shapeMismatch, "\(name): Expected sequence length and batch size to be larger than 0, got input shape \(describe(shape: input.shape))")
        }
        // Work sequence-first and batched: [T, B, I].
        let x = batched ? (batchFirst ? try input.transpose(0, 1) : input) : try input.unsqueeze(1)
        let batch = x.shape[1]
        let stateShape = [numLayers * numDirections, batch, hiddenSize]
        let stateCount = mode == .lstm ? 2 : 1
        var states: [Tensor] = []
        if let initial {
            guard initial.count == stateCount else {
                throw TorchError(.invalidArgument, "\(name): expected \(stateCount) initial state tensor(s), got \(initial.count)")
            }
            for (i, state) in initial.enumerated() {
                let label = stateCount == 2 ? (i == 0 ? "h_0" : "c_0") : "h_0"
                guard state.rank == (batched ? 3 : 2) else {
                    throw TorchError(.shapeMismatch, "\(name): for \(batched ? "batched 3-D" : "unbatched 2-D") input, \(label) should also be \(batched ? 3 : 2)-D but got \(state.rank)-D tensor (shape \(describe(shape: state.shape)))")
                }
                let s = batched ? state : try state.unsqueeze(1)
                guard s.shape == stateShape else {
                    throw TorchError(.shapeMismatch, "\(name): Expected \(label) size \(PythonLiteral.tuple(batched ? stateShape : [stateShape[0], hiddenSize])), got \(describe(shape: state.shape))")
                }
                guard s.dtype == input.dtype else {
                    throw TorchError(.dtypeMismatch, "\(name): input and \(label) must have the same dtype, got \(input.dtype) and \(s.dtype)")
                }
                states.append(s)
            }
        } else {
            for _ in 0..<stateCount { states.append(try Tensor.zeros(stateShape, dtype: input.dtype, device: input.device)) }
        }

        var (output, finalStates) = mode == .lstm ? try runLSTMLayers(x, states: states) : try runStepwise(x, states: states)
        if !batched {
            output = try output.squeeze(1)
            finalStates = try finalStates.map { try $0.squeeze(1) }
        } else if batchFirst {
            output = try output.transpose(0, 1)
        }
        return (output, finalStates)
    }

    /// LSTM layers over the whole sequence `x` [T, B, I], as PyTorch's CPU LSTM: per layer
    /// and direction, one GEMM projects every step's input (`x @ w_ih.T`),
    /// and `_lstm_layer` runs the recurrence. Its backward hands the projection one
    /// [T, B, 4H] gradient, so the projection's backward is two whole-sequence GEMMs too.
    /// Returns the last layer's output [T, B, D·H] and the final `[h_n, c_n]`.
    private func runLSTMLayers(_ x: Tensor, states: [Tensor]) throws -> (Tensor, [Tensor]) {
        let (steps, batch) = (x.shape[0], x.shape[1])
        var sequence = x
        var finals: [[Tensor]] = [[], []]
        for layer in 0..<numLayers {
            var outputs: [Tensor] = []
            for direction in 0..<numDirections {
                let index = layer * numDirections + direction
                let w = weights(layer: layer, direction: direction)
                let projected = try sequence.reshape([steps * batch, sequence.shape[2]]).mm(w.ih.t())
                // Both biases enter the pre-activation as a sum, so they are added once, by the
                // gate kernel (no pass over the whole projection to broadcast them).
                let biasSum: Tensor? = try w.biasIh.map { bih in try w.biasHh.map { try bih + $0 } ?? bih }
                let layerOutputs = try dispatchAll(Op.lstmLayer, [.tensor(try projected.reshape([steps, batch, 4 * hiddenSize])),
                                                                      .tensor(try states[0][index]), .tensor(try states[1][index]),
                                                                      .tensor(w.hh), biasSum.map(ArgumentValue.tensor) ?? .none,
                                                                      .bool(direction == 1)])
                finals[0].append(layerOutputs[1])
                finals[1].append(layerOutputs[2])
                outputs.append(layerOutputs[0])
            }
            sequence = outputs.count == 1 ? outputs[0] : try cat(outputs, dim: 2)
            if dropout > 0, isTraining, layer < numLayers - 1 {
                sequence = try SwiftTorch.dropout(sequence, p: dropout, training: true, generator: generator)
            }
        }
        return (sequence, try finals.map { try stack($0, dim: 0) })
    }

    /// RNN and GRU layers step by step over `x` [T, B, I]; returns the last layer's output
    /// [T, B, D·H] and the final `[h_n]`.
    private func runStepwise(_ x: Tensor, states: [Tensor]) throws -> (Tensor, [Tensor]) {
        // The sequence travels as one tensor per step. Selecting steps out of one [T, ...]
        // tensor would cost a full-size zero gradient per step in backward (T² work);
        // per-step tensors cost nothing, and the final stack's backward is a view per step.
        var steps = try (0..<x.shape[0]).map { try x[$0] }
        var finals: [[Tensor]] = [[]]
        for layer in 0..<numLayers {
            var directionOutputs: [[Tensor]] = []
            for direction in 0..<numDirections {
                let index = layer * numDirections + direction
                let (sequence, last) = try runDirection(steps, weights: weights(layer: layer, direction: direction),
                                                        reverse: direction == 1, initial: try states.map { try $0[index] })
                directionOutputs.append(sequence)
                for (i, t) in last.enumerated() { finals[i].append(t) }
            }
            steps = directionOutputs.count == 1 ? directionOutputs[0]
                : try zip(directionOutputs[0], directionOutputs[1]).map { try cat([$0, $1], dim: 1) }
            if dropout > 0, isTraining, layer < numLayers - 1 {
                steps = try steps.map { try SwiftTorch.dropout($0, p: dropout, training: true, generator: generator) }
            }
        }
        return (try stack(steps, dim: 0), try finals.map { try stack($0, dim: 0) })
    }

    /// One RNN or GRU layer in one direction over the steps `[B, in]`: the outputs `[B, H]`
    /// in sequence order and the last state. Each step is two matrix products (input and
    /// hidden) and the gate arithmetic of the mode.
    private func runDirection(_ steps: [Tensor], weights w: (ih: Tensor, hh: Tensor, biasIh: Tensor?, biasHh: Tensor?),
                              reverse: Bool, initial: [Tensor]) throws -> ([Tensor], [Tensor]) {
        // The transposed weights laid out row-major once: every step's GEMM packs its right
        // operand, and packing a transposed view is a strided gather.
        let ihT = try w.ih.t().contiguous(), hhT = try w.hh.t().contiguous()
        var h = initial[0]
        var outputs = [Tensor](repeating: h, count: steps.count)
        let order: [Int] = reverse ? Array(steps.indices.reversed()) : Array(steps.indices)
        func product(_ bias: Tensor?, _ x: Tensor, _ weightT: Tensor) throws -> Tensor {
            try bias.map { try addmm($0, x, weightT) } ?? x.mm(weightT)
        }
        if mode == .gru {
            // r multiplies the hidden projection with its bias, so b_hh cannot join b_ih.
            for t in order {
                let gates = [try product(w.biasIh, steps[t], ihT), try product(w.biasHh, h, hhT)]
                // The fused gate arithmetic (r, z, n and h' in one pass); the biases are in the products.
                h = try dispatchAll(Op.fusedGruCell, [.tensor(gates[0]), .tensor(gates[1]), .tensor(h), .none, .none])[0]
                outputs[t] = h
            }
        } else {
            // Both biases enter the pre-activation as a sum, so they are added once.
            let biasSum: Tensor? = try w.biasIh.map { bih in try w.biasHh.map { try bih + $0 } ?? bih }
            for t in order {
                let preactivation = try addmm(product(biasSum, steps[t], ihT), h, hhT)
                h = try mode == .rnnRelu ? preactivation.relu() : preactivation.tanh()
                outputs[t] = h
            }
        }
        return (outputs, [h])
    }
}

extension RNNBase.Mode {
    /// The PyTorch class that runs this mode, for messages.
    var moduleName: String {
        switch self {
        case .rnnTanh, .rnnRelu: "RNN"
        case .lstm: "LSTM"
        case .gru: "GRU"
        }
    }
}
