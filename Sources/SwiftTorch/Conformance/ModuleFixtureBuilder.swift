import Foundation
import SwiftTorchCore

/// A module built for a fixture, with the call the fixture describes.
struct FixtureModel {
    let module: Module
    /// Runs the module on the fixture's inputs; returns its outputs in PyTorch's order.
    let call: ([Tensor]) throws -> [Tensor]
}

/// Builds SwiftTorch modules from module fixtures: the constructor options come from
/// PyTorch's `repr` and the state dict's shapes, and what those leave out (`num_heads`,
/// `batch_first`, `norm_first`, `activation` of attention layers) from the fixture's
/// `options`. A note or option saying `causal` calls the module with
/// `Transformer.generateSquareSubsequentMask` and the `is_causal` hint.
enum ModuleFixtureBuilder {
    /// The module types a fixture may name.
    static let supportedTypes = ["RNN", "LSTM", "GRU", "MultiheadAttention", "TransformerEncoderLayer", "TransformerEncoder",
                                 "TransformerDecoderLayer", "TransformerDecoder"]

    /// The type name at the start of the fixture's repr (`LSTM`).
    static func typeName(_ fixture: ModuleFixture) -> String {
        String(fixture.module.prefix { $0 != "(" })
    }

    /// Options the repr does not show, in the order to try them when the fixture does not
    /// give them: each a full assignment of the missing keys.
    static func candidateOptions(_ fixture: ModuleFixture, stateDict: StateDict) -> [[String: String]] {
        let type = typeName(fixture)
        guard type.hasPrefix("Transformer") || type == "MultiheadAttention" else { return [[:]] }
        let embed = (try? attentionSizes(stateDict, prefix: attentionPrefix(type, stateDict)).embed) ?? 1
        var choices: [(String, [String])] = [
            ("num_heads", (1...Swift.max(embed, 1)).filter { embed % $0 == 0 }.map(String.init)),
            ("batch_first", ["true", "false"]),
        ]
        if type.hasPrefix("Transformer") { choices += [("norm_first", ["false", "true"]), ("activation", ["relu", "gelu"])] }
        var result: [[String: String]] = [[:]]
        for (key, values) in choices where fixture.options[key] == nil {
            result = result.flatMap { partial in values.map { partial.merging([key: $0]) { a, _ in a } } }
        }
        return result
    }

    /// The module and call for `fixture` with `options` (the fixture's own win).
    static func build(_ fixture: ModuleFixture, options: [String: String], stateDict: StateDict) throws -> FixtureModel {
        let o = FixtureOptions(fixture.options.merging(options) { own, _ in own }, fixture: fixture)
        let type = typeName(fixture)
        switch type {
        case "RNN", "LSTM", "GRU": return try recurrent(type, fixture, o)
        case "MultiheadAttention":
            let attention = try multiheadAttention(o, stateDict, prefix: "")
            return FixtureModel(module: attention) { inputs in
                // Inputs: query (self-attention alone), or query, key, value and an optional key_padding_mask.
                guard inputs.count == 1 || inputs.count >= 3 else {
                    throw TorchError(.invalidArgument, "module fixture \(fixture.name): MultiheadAttention takes 1 input (self-attention) or query, key, value [, key_padding_mask], the fixture gives \(inputs.count)")
                }
                let (q, k, v) = inputs.count == 1 ? (inputs[0], inputs[0], inputs[0]) : (inputs[0], inputs[1], inputs[2])
                let padding = inputs.count > 3 ? inputs[3] : nil
                let mask = try o.causal ? Transformer.generateSquareSubsequentMask(sequenceLength(q, o), dtype: q.dtype) : nil
                let needWeights = fixture.outputs.count > 1
                let (output, weights) = try attention(q, k, v, keyPaddingMask: padding, needWeights: needWeights, attnMask: mask)
                return [output] + (weights.map { [$0] } ?? [])
            }
        case "TransformerEncoderLayer", "TransformerEncoder":
            let prefix = type == "TransformerEncoder" ? "layers.0." : ""
            let layer = try TransformerEncoderLayer(dModel: o.embed(stateDict, prefix), nhead: o.int("num_heads"),
                                                    dimFeedforward: feedforward(stateDict, prefix), dropout: 0,
                                                    activation: o.activation, layerNormEps: o.layerNormEps,
                                                    batchFirst: o.bool("batch_first"), normFirst: o.bool("norm_first"),
                                                    bias: stateDict[prefix + "linear1.bias"] != nil)
            let module: Module
            let forward: (Tensor, Tensor?) throws -> Tensor
            if type == "TransformerEncoder" {
                let encoder = TransformerEncoder(layer, numLayers: layerCount(stateDict), norm: try finalNorm(stateDict, o))
                (module, forward) = (encoder, { try encoder($0, mask: $1, isCausal: $1 != nil) })
            } else {
                (module, forward) = (layer, { try layer($0, mask: $1, isCausal: $1 != nil) })
            }
            return FixtureModel(module: module) { inputs in
                let mask = try o.causal ? Transformer.generateSquareSubsequentMask(sequenceLength(inputs[0], o), dtype: inputs[0].dtype) : nil
                return [try forward(inputs[0], mask)]
            }
        case "TransformerDecoderLayer", "TransformerDecoder":
            let prefix = type == "TransformerDecoder" ? "layers.0." : ""
            let layer = try TransformerDecoderLayer(dModel: o.embed(stateDict, prefix), nhead: o.int("num_heads"),
                                                    dimFeedforward: feedforward(stateDict, prefix), dropout: 0,
                                                    activation: o.activation, layerNormEps: o.layerNormEps,
                                                    batchFirst: o.bool("batch_first"), normFirst: o.bool("norm_first"),
                                                    bias: stateDict[prefix + "linear1.bias"] != nil)
            let module: Module
            let forward: (Tensor, Tensor, Tensor?) throws -> Tensor
            if type == "TransformerDecoder" {
                let decoder = TransformerDecoder(layer, numLayers: layerCount(stateDict), norm: try finalNorm(stateDict, o))
                (module, forward) = (decoder, { try decoder($0, memory: $1, tgtMask: $2, tgtIsCausal: $2 != nil) })
            } else {
                (module, forward) = (layer, { try layer($0, memory: $1, tgtMask: $2, tgtIsCausal: $2 != nil) })
            }
            return FixtureModel(module: module) { inputs in
                guard inputs.count >= 2 else {
                    throw TorchError(.invalidArgument, "module fixture \(fixture.name): a decoder takes tgt and memory, the fixture gives \(inputs.count) input(s)")
                }
                let mask = try o.causal ? Transformer.generateSquareSubsequentMask(sequenceLength(inputs[0], o), dtype: inputs[0].dtype) : nil
                return [try forward(inputs[0], inputs[1], mask)]
            }
        default:
            throw TorchError(.invalidArgument, "module fixture \(fixture.name): unsupported module '\(type)'; supported: \(supportedTypes.joined(separator: ", "))")
        }
    }

    // MARK: Recurrent layers: every option is in the repr

    private static func recurrent(_ type: String, _ fixture: ModuleFixture, _ o: FixtureOptions) throws -> FixtureModel {
        let (sizes, keywords) = try reprArguments(fixture)
        guard sizes.count == 2 else {
            throw TorchError(.invalidArgument, "module fixture \(fixture.name): expected '\(type)(input_size, hidden_size, ...)', got '\(fixture.module)'")
        }
        func keyword(_ key: String) -> String? { keywords[key] ?? fixture.options[key] }
        let numLayers = Int(keyword("num_layers") ?? "1") ?? 1
        let bias = keyword("bias").map { $0.lowercased() == "true" } ?? true
        let batchFirst = keyword("batch_first").map { $0.lowercased() == "true" } ?? false
        let dropout = Double(keyword("dropout") ?? "0") ?? 0
        let bidirectional = keyword("bidirectional").map { $0.lowercased() == "true" } ?? false
        switch type {
        case "LSTM":
            let lstm = LSTM(sizes[0], sizes[1], numLayers: numLayers, bias: bias, batchFirst: batchFirst, dropout: dropout,
                            bidirectional: bidirectional)
            return FixtureModel(module: lstm) { inputs in
                let state = inputs.count >= 3 ? (h: inputs[1], c: inputs[2]) : nil
                let (output, final) = try lstm(inputs[0], state)
                return [output, final.h, final.c]
            }
        case "GRU":
            let gru = GRU(sizes[0], sizes[1], numLayers: numLayers, bias: bias, batchFirst: batchFirst, dropout: dropout,
                          bidirectional: bidirectional)
            return FixtureModel(module: gru) { inputs in
                let (output, h) = try gru(inputs[0], inputs.count > 1 ? inputs[1] : nil)
                return [output, h]
            }
        default:
            // PyTorch's repr of nn.RNN does not show the nonlinearity; the note or the options do.
            let relu = (keyword("nonlinearity") ?? "").contains("relu") || fixture.note.lowercased().contains("relu")
            let rnn = RNN(sizes[0], sizes[1], numLayers: numLayers, nonlinearity: relu ? .relu : .tanh, bias: bias,
                          batchFirst: batchFirst, dropout: dropout, bidirectional: bidirectional)
            return FixtureModel(module: rnn) { inputs in
                let (output, h) = try rnn(inputs[0], inputs.count > 1 ? inputs[1] : nil)
                return [output, h]
            }
        }
    }

    /// The positional integers and `key=value` pairs of a one-line repr: `LSTM(4, 5, num_layers=2)`.
    private static func reprArguments(_ fixture: ModuleFixture) throws -> ([Int], [String: String]) {
        guard let open = fixture.module.firstIndex(of: "("), let close = fixture.module.lastIndex(of: ")"), open < close else {
            throw TorchError(.invalidArgument, "module fixture \(fixture.name): cannot read the repr '\(fixture.module)'")
        }
        var sizes: [Int] = [], keywords: [String: String] = [:]
        for part in fixture.module[fixture.module.index(after: open)..<close].split(separator: ",") {
            let item = part.trimmingCharacters(in: .whitespaces)
            if let eq = item.firstIndex(of: "=") {
                keywords[String(item[..<eq])] = String(item[item.index(after: eq)...]).trimmingCharacters(in: CharacterSet(charactersIn: "'\""))
            } else if let n = Int(item) {
                sizes.append(n)
            }
        }
        return (sizes, keywords)
    }

    // MARK: Attention layers: sizes from the state dict

    private static func attentionPrefix(_ type: String, _ stateDict: StateDict) -> String {
        switch type {
        case "MultiheadAttention": ""
        case "TransformerEncoder", "TransformerDecoder": "layers.0.self_attn."
        default: "self_attn."
        }
    }

    /// Embedding size, kdim, vdim and bias of the attention under `prefix`.
    static func attentionSizes(_ stateDict: StateDict, prefix: String) throws -> (embed: Int, kdim: Int, vdim: Int, bias: Bool) {
        let bias = stateDict[prefix + "in_proj_bias"] != nil
        if let w = stateDict[prefix + "in_proj_weight"], w.rank == 2 { return (w.shape[1], w.shape[1], w.shape[1], bias) }
        guard let q = stateDict[prefix + "q_proj_weight"], let k = stateDict[prefix + "k_proj_weight"],
              let v = stateDict[prefix + "v_proj_weight"], q.rank == 2, k.rank == 2, v.rank == 2 else {
            throw TorchError(.invalidArgument, "module fixture: the state dict has neither \(prefix)in_proj_weight nor \(prefix)q/k/v_proj_weight")
        }
        return (q.shape[0], k.shape[1], v.shape[1], bias)
    }

    private static func multiheadAttention(_ o: FixtureOptions, _ stateDict: StateDict, prefix: String) throws -> MultiheadAttention {
        let sizes = try attentionSizes(stateDict, prefix: prefix)
        return MultiheadAttention(embedDim: sizes.embed, numHeads: try o.int("num_heads"), bias: sizes.bias, kdim: sizes.kdim,
                                  vdim: sizes.vdim, batchFirst: o.bool("batch_first"))
    }

    private static func feedforward(_ stateDict: StateDict, _ prefix: String) throws -> Int {
        guard let w = stateDict[prefix + "linear1.weight"], w.rank == 2 else {
            throw TorchError(.invalidArgument, "module fixture: the state dict has no \(prefix)linear1.weight")
        }
        return w.shape[0]
    }

    /// Layers of a stack: the distinct `layers.N.` prefixes of its keys.
    private static func layerCount(_ stateDict: StateDict) -> Int {
        Set(stateDict.keys.compactMap { key -> Int? in
            guard key.hasPrefix("layers.") else { return nil }
            return Int(key.dropFirst("layers.".count).prefix { $0 != "." })
        }).count
    }

    private static func finalNorm(_ stateDict: StateDict, _ o: FixtureOptions) throws -> LayerNorm? {
        guard let w = stateDict["norm.weight"] else { return nil }
        return LayerNorm(w.shape, eps: o.layerNormEps, bias: stateDict["norm.bias"] != nil)
    }

    /// The length of the sequence dimension of `x` (where a causal mask applies).
    private static func sequenceLength(_ x: Tensor, _ o: FixtureOptions) -> Int {
        x.rank == 3 && o.bool("batch_first") ? x.shape[1] : x.shape[0]
    }
}

/// A fixture's options as typed values, with the errors that name what is missing.
private struct FixtureOptions {
    let values: [String: String]
    let fixture: ModuleFixture

    init(_ values: [String: String], fixture: ModuleFixture) {
        self.values = values
        self.fixture = fixture
    }

    func int(_ key: String) throws -> Int {
        guard let text = values[key], let n = Int(text) else {
            throw TorchError(.invalidArgument, "module fixture \(fixture.name): option '\(key)' must be an integer, got \(values[key] ?? "nothing")")
        }
        return n
    }

    func bool(_ key: String) -> Bool { ["true", "1"].contains((values[key] ?? "false").lowercased()) }

    var activation: TransformerActivation { TransformerActivation(rawValue: values["activation"] ?? "relu") ?? .relu }

    /// `eps` of the first LayerNorm in the repr (`LayerNorm((8,), eps=1e-05, ...)`), else 1e-5.
    var layerNormEps: Double {
        guard let range = fixture.module.range(of: "eps=") else { return 1e-5 }
        return Double(fixture.module[range.upperBound...].prefix { !",)".contains($0) }) ?? 1e-5
    }

    /// Whether the call uses the causal mask: the `causal` option, else the note says so.
    var causal: Bool {
        if let text = values["causal"] { return ["true", "1"].contains(text.lowercased()) }
        return fixture.note.lowercased().contains("causal")
    }

    func embed(_ stateDict: StateDict, _ prefix: String) throws -> Int {
        try ModuleFixtureBuilder.attentionSizes(stateDict, prefix: prefix + "self_attn.").embed
    }
}
