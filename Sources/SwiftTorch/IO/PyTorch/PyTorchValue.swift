import SwiftTorchCore

/// What a `.pt` file holds, as Swift sees it: the subset of Python values that
/// `torch.load(..., weights_only=True)` accepts. Tuples read as lists; `dict` and
/// `collections.OrderedDict` both read as an ordered ``PyTorchDict``.
///
/// <!-- snippet: pytorch-value -->
/// ```swift
/// let checkpoint = try loadPyTorch(url)
/// let epoch = checkpoint["epoch"]?.intValue
/// let weight = checkpoint["model"]?["0.weight"]?.tensorValue
/// ```
public enum PyTorchValue {
    /// A tensor (tensors that shared a storage in the file share one ``Storage`` here).
    case tensor(Tensor)
    /// A Python `int` that fits in 64 bits.
    case int(Int)
    /// A Python `float`.
    case double(Double)
    /// A Python `bool`.
    case bool(Bool)
    /// A Python `str`.
    case string(String)
    /// Python's `None`.
    case none
    /// A Python `list` or `tuple`.
    case list([PyTorchValue])
    /// A Python `dict` or `OrderedDict`, in its order.
    case dict(PyTorchDict)

    /// The tensor, when this is one.
    public var tensorValue: Tensor? {
        if case .tensor(let t) = self { return t }
        return nil
    }

    /// The integer, when this is one.
    public var intValue: Int? {
        if case .int(let i) = self { return i }
        return nil
    }

    /// The number, when this is an `int` or a `float` (Python mixes them freely).
    public var doubleValue: Double? {
        switch self {
        case .double(let d): d
        case .int(let i): Double(i)
        default: nil
        }
    }

    /// The string, when this is one.
    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    /// The dictionary, when this is one.
    public var dictValue: PyTorchDict? {
        if case .dict(let d) = self { return d }
        return nil
    }

    /// The elements, when this is a list (or a tuple in the file).
    public var listValue: [PyTorchValue]? {
        if case .list(let l) = self { return l }
        return nil
    }

    /// The value under string key `key`, when this is a dictionary that has it.
    public subscript(key: String) -> PyTorchValue? { dictValue?[.string(key)] }

    /// The value under integer key `key`, when this is a dictionary that has it.
    public subscript(key: Int) -> PyTorchValue? { dictValue?[.int(key)] }

    /// Every tensor inside, with its key path joined by dots as PyTorch's `state_dict()`
    /// names them (`model.0.weight`, `optimizer.state.0.momentum_buffer`); list elements
    /// are named by their index. A tensor at the top level is named `""`.
    public func namedTensors() -> [(name: String, tensor: Tensor)] {
        var out: [(String, Tensor)] = []
        // An explicit stack, not recursion: the reader bounds the depth, but a value built
        // in Swift need not be.
        var pending: [(String, PyTorchValue)] = [("", self)]
        while let (prefix, value) = pending.popLast() {
            switch value {
            case .tensor(let t): out.append((prefix, t))
            case .list(let items):
                pending += items.enumerated().reversed().map { (Self.join(prefix, String($0.offset)), $0.element) }
            case .dict(let d):
                pending += d.entries.reversed().map { (Self.join(prefix, $0.key.description), $0.value) }
            default: continue
            }
        }
        return out
    }

    private static func join(_ prefix: String, _ key: String) -> String { prefix.isEmpty ? key : "\(prefix).\(key)" }
}

/// A dictionary key in a `.pt` file: Python's state dicts use strings (`"0.weight"`) and
/// optimizers' use integers (parameter indices).
public enum PyTorchKey: Hashable, Sendable, CustomStringConvertible, ExpressibleByStringLiteral, ExpressibleByIntegerLiteral {
    /// A `str` key.
    case string(String)
    /// An `int` key.
    case int(Int)

    /// A string key written as a literal.
    public init(stringLiteral value: String) { self = .string(value) }
    /// An integer key written as a literal.
    public init(integerLiteral value: Int) { self = .int(value) }

    /// The key as text: the string itself, or the integer's digits.
    public var description: String {
        switch self {
        case .string(let s): s
        case .int(let i): String(i)
        }
    }
}

/// An insertion-ordered dictionary, as Python's `dict` and `OrderedDict`.
public struct PyTorchDict: Sequence, ExpressibleByDictionaryLiteral {
    /// The entries in order.
    public private(set) var entries: [(key: PyTorchKey, value: PyTorchValue)] = []
    private var positions: [PyTorchKey: Int] = [:]

    /// An empty dictionary.
    public init() {}

    /// The pairs in order; a repeated key keeps its first position and its last value, as in Python.
    public init(_ pairs: [(PyTorchKey, PyTorchValue)]) {
        for (k, v) in pairs { self[k] = v }
    }

    /// Pairs written as a literal, in the literal's order.
    public init(dictionaryLiteral elements: (PyTorchKey, PyTorchValue)...) { self.init(elements) }

    /// The value under `key`; assigning replaces it in place or appends a new entry.
    public subscript(key: PyTorchKey) -> PyTorchValue? {
        get { positions[key].map { entries[$0].value } }
        set {
            if let index = positions[key] {
                if let newValue {
                    entries[index].value = newValue
                } else {
                    entries.remove(at: index)
                    positions = Dictionary(uniqueKeysWithValues: entries.enumerated().map { ($0.element.key, $0.offset) })
                }
            } else if let newValue {
                positions[key] = entries.count
                entries.append((key, newValue))
            }
        }
    }

    /// Number of entries.
    public var count: Int { entries.count }

    /// The keys in order.
    public var keys: [PyTorchKey] { entries.map(\.key) }

    /// The entries in order.
    public func makeIterator() -> IndexingIterator<[(key: PyTorchKey, value: PyTorchValue)]> { entries.makeIterator() }
}
