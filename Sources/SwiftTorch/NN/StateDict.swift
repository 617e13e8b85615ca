import SwiftTorchCore

/// Named tensors in insertion order, as PyTorch's `state_dict()` (an `OrderedDict`):
/// what ``Module/stateDict()`` returns and ``Module/loadStateDict(_:strict:)`` takes.
public struct StateDict: Sequence, ExpressibleByDictionaryLiteral {
    /// The keys in insertion order.
    public private(set) var keys: [String] = []
    private var values: [String: Tensor] = [:]

    /// An empty state dict.
    public init() {}

    /// The pairs in order; a repeated key keeps its first position and its last value.
    public init(_ pairs: [(String, Tensor)]) {
        for (k, v) in pairs { self[k] = v }
    }

    /// Pairs written as a literal, in the literal's order.
    public init(dictionaryLiteral elements: (String, Tensor)...) { self.init(elements) }

    /// The tensor stored under `key`; assigning nil removes the key.
    public subscript(key: String) -> Tensor? {
        get { values[key] }
        set {
            if let newValue {
                if values.updateValue(newValue, forKey: key) == nil { keys.append(key) }
            } else if values.removeValue(forKey: key) != nil {
                keys.removeAll { $0 == key }
            }
        }
    }

    /// Number of entries.
    public var count: Int { keys.count }

    /// The entries in order.
    public func makeIterator() -> some IteratorProtocol<(key: String, value: Tensor)> {
        keys.map { (key: $0, value: values[$0]!) }.makeIterator()
    }
}

/// Keys that did not line up in ``Module/loadStateDict(_:strict:)`` with `strict: false`.
public struct LoadStateDictResult: Sendable, Equatable {
    /// Keys the module has but the state dict lacks.
    public var missingKeys: [String]
    /// Keys the state dict has but the module lacks.
    public var unexpectedKeys: [String]
}

extension Module {
    /// Every parameter and persistent buffer by dotted name, detached (they share storage
    /// with the module's tensors), as PyTorch's `state_dict()`.
    public func stateDict() -> StateDict {
        var dict = StateDict()
        for (prefix, module) in namedModules() {
            // Per module, parameters first then buffers: PyTorch's order.
            for (key, tensor, _) in module.ownTensors(.parameter) { dict[Module.join(prefix, key)] = tensor.detach() }
            for (key, tensor, persistent) in module.ownTensors(.buffer) where persistent {
                dict[Module.join(prefix, key)] = tensor.detach()
            }
        }
        return dict
    }

    /// Copies `stateDict`'s tensors into this module's parameters and buffers, in place
    /// (converted to each destination's dtype). Checks everything before copying anything,
    /// then throws one ``TorchError`` that lists every problem, as PyTorch's message does:
    /// missing and unexpected keys (only when `strict`), and shape mismatches (always).
    @discardableResult
    public func loadStateDict(_ stateDict: StateDict, strict: Bool = true) throws -> LoadStateDictResult {
        let own = self.stateDict()
        let missing = own.keys.filter { stateDict[$0] == nil }
        let unexpected = stateDict.keys.filter { own[$0] == nil }
        var problems: [String] = []
        if strict, !missing.isEmpty {
            problems.append("Missing key(s) in state_dict: \(missing.map { "\"\($0)\"" }.joined(separator: ", ")).")
        }
        if strict, !unexpected.isEmpty {
            problems.append("Unexpected key(s) in state_dict: \(unexpected.map { "\"\($0)\"" }.joined(separator: ", ")).")
        }
        var sawShapeMismatch = false
        for (key, destination) in own {
            guard let source = stateDict[key], source.shape != destination.shape else { continue }
            sawShapeMismatch = true
            problems.append("size mismatch for \(key): copying a param with shape \(describe(shape: source.shape)) from checkpoint, the shape in current model is \(describe(shape: destination.shape)).")
        }
        if !problems.isEmpty {
            throw TorchError(sawShapeMismatch ? .shapeMismatch : .invalidArgument,
                             "Error(s) in loading state_dict for \(type(of: self)):\n\t" + problems.joined(separator: "\n\t"))
        }
        try withNoGrad {
            for (key, destination) in own {
                if let source = stateDict[key] { try destination.copy_(source) }
            }
        }
        return LoadStateDictResult(missingKeys: missing, unexpectedKeys: unexpected)
    }
}
