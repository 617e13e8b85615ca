import Foundation
import SwiftTorchCore

/// A file of module fixtures (`sequence-modules.json` in Docs/conformance's "Module
/// fixtures" format): whole layers built and run by PyTorch, with their state dicts, inputs,
/// outputs and gradients in the safetensors file of the same stem beside it.
public struct ModuleFixtureFile {
    /// The fixtures, in file order.
    public let fixtures: [ModuleFixture]
    /// The comparison tolerance for every tensor (float32).
    public let tolerance: Tolerance
    /// Every tensor the fixtures name, by key (`lstm/input0`, `lstm/state/weight_ih_l0`).
    public let tensors: [String: Tensor]

    /// Whether the JSON at `url` is a module-fixture file (it has `fixtures`) rather than
    /// a case file (which has `cases`).
    public static func isModuleFixtureFile(_ url: URL) -> Bool {
        guard let data = try? Data(contentsOf: url),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return false }
        return object["fixtures"] != nil
    }

    /// Reads the JSON at `path` and the `.safetensors` file of the same stem beside it.
    public static func load(_ path: String) throws -> ModuleFixtureFile {
        let url = URL(fileURLWithPath: path)
        let tensorsURL = url.deletingPathExtension().appendingPathExtension("safetensors")
        let file: Contents
        do {
            file = try JSONDecoder().decode(Contents.self, from: Data(contentsOf: url))
        } catch {
            throw TorchError(.invalidArgument, "module fixtures \(path): cannot read the file: \(error)")
        }
        guard FileManager.default.fileExists(atPath: tensorsURL.path) else {
            throw TorchError(.invalidArgument, "module fixtures \(path): the tensors file \(tensorsURL.path) (same stem, beside the JSON) does not exist")
        }
        let tolerance = Tolerance(rtol: file.tolerance?.rtol ?? 1e-4, atol: file.tolerance?.atol ?? 1e-5)
        return ModuleFixtureFile(fixtures: file.fixtures, tolerance: tolerance, tensors: try Safetensors.load(from: tensorsURL))
    }

    private struct Contents: Decodable {
        let fixtures: [ModuleFixture]
        let tolerance: FileTolerance?
    }

    private struct FileTolerance: Decodable {
        let rtol: Double?
        let atol: Double?
    }

    /// The fixture's tensor `key`, or an error that names the fixture and the key.
    func tensor(_ key: String, of fixture: ModuleFixture) throws -> Tensor {
        guard let t = tensors[key] else {
            throw TorchError(.invalidArgument, "module fixture \(fixture.name): tensor '\(key)' is not in the safetensors file")
        }
        return t
    }

    /// The fixture's state dict: every `NAME/state/KEY` as `KEY`.
    func stateDict(of fixture: ModuleFixture) -> StateDict {
        let prefix = fixture.name + "/state/"
        return StateDict(tensors.keys.sorted().filter { $0.hasPrefix(prefix) }.map { (String($0.dropFirst(prefix.count)), tensors[$0]!) })
    }
}

/// One PyTorch-built module with its call, as a module-fixture file describes it.
public struct ModuleFixture: Decodable, Sendable {
    /// The fixture's name, the prefix of its tensor keys (`lstm` in `lstm/input0`).
    public let name: String
    /// PyTorch's `repr` of the module, with its constructor options.
    public let module: String
    /// How it was called, in words.
    public let note: String
    /// Tensor keys of the positional inputs.
    public let inputs: [String]
    /// Tensor keys of the compared outputs (output 0 first).
    public let outputs: [String]
    /// Tensor key of the upstream gradient of output 0.
    public let outputGrad: String?
    /// Tensor keys of the gradients of the floating-point inputs.
    public let inputGrads: [String]
    /// State-dict key to the tensor key of that parameter's gradient.
    public let paramGrads: [String: String]
    /// Constructor and call options that PyTorch's `repr` leaves out (`num_heads`,
    /// `batch_first`, `norm_first`, `activation`, `causal`), when the file gives them.
    public let options: [String: String]

    enum CodingKeys: String, CodingKey {
        case name, module, note, inputs, outputs, options
        case outputGrad = "output_grad", inputGrads = "input_grads", paramGrads = "param_grads"
    }

    /// Decodes a fixture from its JSON object; `note`, `output_grad`, `input_grads`, `param_grads` and `options` may be absent.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        module = try c.decode(String.self, forKey: .module)
        note = try c.decodeIfPresent(String.self, forKey: .note) ?? ""
        inputs = try c.decode([String].self, forKey: .inputs)
        outputs = try c.decode([String].self, forKey: .outputs)
        outputGrad = try c.decodeIfPresent(String.self, forKey: .outputGrad)
        inputGrads = try c.decodeIfPresent([String].self, forKey: .inputGrads) ?? []
        paramGrads = try c.decodeIfPresent([String: String].self, forKey: .paramGrads) ?? [:]
        // Options may be written as JSON numbers and booleans; they are kept as text.
        let raw = try c.decodeIfPresent([String: OptionValue].self, forKey: .options) ?? [:]
        options = raw.mapValues(\.text)
    }

    /// A JSON scalar as text (`2`, `true`, `gelu`).
    private struct OptionValue: Decodable {
        let text: String
        init(from decoder: any Decoder) throws {
            let c = try decoder.singleValueContainer()
            if let b = try? c.decode(Bool.self) { text = b ? "true" : "false" }
            else if let i = try? c.decode(Int.self) { text = String(i) }
            else if let d = try? c.decode(Double.self) { text = String(d) }
            else { text = try c.decode(String.self) }
        }
    }
}
