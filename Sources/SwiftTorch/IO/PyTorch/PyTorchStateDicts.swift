import Foundation
import SwiftTorchCore

// Bridges between `.pt` values and SwiftTorch's state dicts: a module's `state_dict()` and an
// optimizer's `optimizer.state_dict()`, in PyTorch's own layout, both ways.

extension StateDict {
    /// The state dict in `value`: a dictionary whose every entry is a tensor under a string
    /// key, as `torch.save(model.state_dict(), path)` writes. `what` names it in errors.
    public init(pytorch value: PyTorchValue, what: String = "the value") throws {
        guard let dict = value.dictValue else {
            throw TorchError(.invalidArgument, "StateDict(pytorch:): \(what) is not a dict of tensors but \(value.kindName)")
        }
        var pairs: [(String, Tensor)] = []
        for (key, item) in dict {
            guard case .string(let name) = key, let tensor = item.tensorValue else {
                throw TorchError(.invalidArgument, "StateDict(pytorch:): \(what) is not a state dict: its entry \(key) is \(item.kindName), not a tensor under a string key")
            }
            pairs.append((name, tensor))
        }
        self.init(pairs)
    }

    /// The state dict as a `.pt` value: a dict of tensors in order.
    public var pytorchValue: PyTorchValue {
        .dict(PyTorchDict(map { (.string($0.key), .tensor($0.value)) }))
    }
}

extension Module {
    /// Loads parameters and buffers from a `.pt` file written by PyTorch: the file's
    /// `state_dict()`, or, with `key`, the state dict under that key of a checkpoint dict
    /// (`"model"`, `"state_dict"`). Keys and shapes must match as in
    /// ``loadStateDict(_:strict:)``.
    ///
    /// <!-- snippet: module-load-pytorch -->
    /// ```swift
    /// let model = Sequential {
    ///     Linear(64, 32)
    ///     ReLU()
    ///     Linear(32, 10)
    /// }
    /// try model.loadPyTorch(from: url)                      // torch.save(model.state_dict(), path)
    /// try model.loadPyTorch(from: checkpoint, key: "model")  // torch.save({"model": ..., "epoch": 3}, path)
    /// ```
    @discardableResult
    public func loadPyTorch(from url: URL, key: String? = nil, strict: Bool = true) throws -> LoadStateDictResult {
        let value = try pytorchEntry(SwiftTorch.loadPyTorch(url), key: key, file: url)
        return try loadStateDict(StateDict(pytorch: value, what: "\(url.path)\(key.map { "['\($0)']" } ?? "")"), strict: strict)
    }

    /// Writes the state dict as a `.pt` file that `model.load_state_dict(torch.load(path,
    /// weights_only=True))` reads in PyTorch.
    public func savePyTorch(to url: URL) throws {
        try SwiftTorch.savePyTorch(stateDict().pytorchValue, to: url)
    }
}

extension OptimizerStateDict {
    /// The optimizer state in `value`, laid out as PyTorch's `optimizer.state_dict()`:
    /// `state` (parameter index to named tensors) and `param_groups` (options by name).
    public init(pytorch value: PyTorchValue, what: String = "the value") throws {
        func refuse(_ problem: String) -> TorchError {
            TorchError(.invalidArgument, "OptimizerStateDict(pytorch:): \(what) is not an optimizer state dict: \(problem)")
        }
        guard let stateDict = value["state"]?.dictValue, let groups = value["param_groups"]?.listValue else {
            throw refuse("it needs 'state' (a dict) and 'param_groups' (a list)")
        }
        var state: [Int: [String: Tensor]] = [:]
        for (key, entries) in stateDict {
            guard case .int(let index) = key, let entries = entries.dictValue else {
                throw refuse("'state' maps parameter indices to dicts; entry \(key) is \(entries.kindName)")
            }
            for (name, item) in entries {
                guard case .string(let name) = name, let tensor = item.tensorValue else {
                    throw refuse("state[\(index)] entry \(name) is \(item.kindName); SwiftTorch's optimizers keep tensors")
                }
                state[index, default: [:]][name] = tensor
            }
        }
        let paramGroups = try groups.enumerated().map { (g, group) -> [String: StateValue] in
            guard let group = group.dictValue else { throw refuse("param_groups[\(g)] is \(group.kindName), not a dict") }
            var options: [String: StateValue] = [:]
            for (key, item) in group {
                guard case .string(let name) = key else { throw refuse("param_groups[\(g)] has the non-string key \(key)") }
                options[name] = try StateValue(pytorch: item) { refuse("param_groups[\(g)]['\(name)'] is \($0)") }
            }
            return options
        }
        self.init(state: state, paramGroups: paramGroups)
    }

    /// The state dict as PyTorch lays it out, for ``savePyTorch(_:to:)``: parameter indices
    /// and whole numbers in `params` are Python ints, other numbers floats.
    public var pytorchValue: PyTorchValue {
        let stateValue = PyTorchDict(state.keys.sorted().map { index in
            (.int(index), .dict(PyTorchDict(state[index]!.sorted { $0.key < $1.key }.map { (.string($0.key), .tensor($0.value)) })))
        })
        let groups: [PyTorchValue] = paramGroups.map { group in
            .dict(PyTorchDict(group.sorted { $0.key < $1.key }.map { name, value in
                (.string(name), name == "params" ? value.pytorchIntegers : value.pytorchValue)
            }))
        }
        return .dict(["state": .dict(stateValue), "param_groups": .list(groups)])
    }
}

extension Optimizer {
    /// Loads an optimizer state saved by PyTorch (`torch.save(optimizer.state_dict(), path)`,
    /// or, with `key`, the entry `key` of a checkpoint dict such as `"optimizer"`) into this
    /// optimizer, which must be built over the same parameters in the same order, as
    /// ``loadStateDict(_:)`` requires.
    public func loadPyTorch(from url: URL, key: String? = nil) throws {
        let value = try pytorchEntry(SwiftTorch.loadPyTorch(url), key: key, file: url)
        try loadStateDict(OptimizerStateDict(pytorch: value, what: "\(url.path)\(key.map { "['\($0)']" } ?? "")"))
    }
}

extension StateValue {
    /// A non-tensor `.pt` value as a state value: ints and floats become numbers, tuples lists.
    init(pytorch value: PyTorchValue, refuse: (String) -> TorchError) throws {
        switch value {
        case .int(let i): self = .int(i)
        case .double(let d): self = .number(d)
        case .bool(let b): self = .bool(b)
        case .string(let s): self = .string(s)
        case .none: self = .null
        case .list(let items): self = .list(try items.map { try StateValue(pytorch: $0, refuse: refuse) })
        case .dict(let dict):
            var out: [String: StateValue] = [:]
            for (key, item) in dict { out[key.description] = try StateValue(pytorch: item, refuse: refuse) }
            self = .dictionary(out)
        case .tensor(let t): throw refuse("a tensor of shape \(describe(shape: t.shape)), where a number, string or list was expected")
        }
    }

    /// The value for a `.pt` file, numbers as Python floats.
    var pytorchValue: PyTorchValue {
        switch self {
        case .number(let n): .double(n)
        case .bool(let b): .bool(b)
        case .string(let s): .string(s)
        case .null: .none
        case .list(let items): .list(items.map(\.pytorchValue))
        case .dictionary(let d): .dict(PyTorchDict(d.sorted { $0.key < $1.key }.map { (.string($0.key), $0.value.pytorchValue) }))
        }
    }

    /// The value for a `.pt` file, whole numbers as Python ints (parameter indices).
    var pytorchIntegers: PyTorchValue {
        switch self {
        case .number(let n): Int(exactly: n).map(PyTorchValue.int) ?? .double(n)
        case .list(let items): .list(items.map(\.pytorchIntegers))
        default: pytorchValue
        }
    }
}

extension PyTorchValue {
    /// The kind of value, for messages ("a dict", "a tensor").
    var kindName: String {
        switch self {
        case .tensor: "a tensor"
        case .int: "an int"
        case .double: "a float"
        case .bool: "a bool"
        case .string: "a string"
        case .none: "None"
        case .list: "a list"
        case .dict: "a dict"
        }
    }
}

/// `value`, or its entry `key` when a key is given; a missing key throws naming the keys there are.
private func pytorchEntry(_ value: PyTorchValue, key: String?, file: URL) throws -> PyTorchValue {
    guard let key else { return value }
    guard let entry = value[key] else {
        let keys = value.dictValue?.keys.map { "'\($0)'" }.joined(separator: ", ") ?? "none: it is \(value.kindName)"
        throw TorchError(.invalidArgument, "PyTorch file \(file.path): no entry '\(key)' at the top level (keys: \(keys))")
    }
    return entry
}
