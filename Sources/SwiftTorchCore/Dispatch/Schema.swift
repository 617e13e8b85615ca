import Synchronization

/// The type of one operator argument, as written in a schema.
public indirect enum ArgumentType: Sendable, Equatable, CustomStringConvertible {
    /// The schema types `Tensor`, `Tensor[]`, `Scalar`, `int`, `int[]`, `float`, `bool`, `str`,
    /// `ScalarType`, `Device`.
    case tensor, tensorList, scalar, int, intList, float, bool, string, dtype, device
    /// A type that may be `None` (`int?`).
    case optional(ArgumentType)

    /// The type as a schema writes it.
    public var description: String {
        switch self {
        case .tensor: "Tensor"
        case .tensorList: "Tensor[]"
        case .scalar: "Scalar"
        case .int: "int"
        case .intList: "int[]"
        case .float: "float"
        case .bool: "bool"
        case .string: "str"
        case .dtype: "ScalarType"
        case .device: "Device"
        case .optional(let t): "\(t)?"
        }
    }

    /// The type without its optional wrapper.
    public var base: ArgumentType {
        if case .optional(let t) = self { return t }
        return self
    }

    /// Whether the type may be `None`.
    public var isOptional: Bool {
        if case .optional = self { return true }
        return false
    }
}

/// One declared argument: name, type, default, and whether it may only be passed by keyword.
public struct SchemaArgument: Equatable {
    /// The argument's name, as PyTorch spells it (`keepdim`).
    public let name: String
    /// The argument's type.
    public let type: ArgumentType
    /// `nil` means the argument is required.
    public let defaultValue: ArgumentValue?
    /// Whether the argument comes after `*`, so it is passed by name only.
    public let keywordOnly: Bool
}

/// An operator's signature, written as PyTorch writes it in `native_functions.yaml`:
///
///     add(Tensor self, Tensor other, *, Scalar alpha=1) -> Tensor
///
/// The declaration string is the single source of truth for argument names, order, types
/// and defaults: the dispatcher binds calls against it and the conformance runner maps case
/// files onto it.
///
/// A class: every call's ``Arguments`` holds its schema, and a reference is one retain.
public final class OperatorSchema: Sendable, CustomStringConvertible {
    /// The operator's name (`add`).
    public let name: String
    /// A number no other schema of this process has, so an ``ArgumentName`` can remember
    /// which schema its slot belongs to.
    public let id: Int
    /// The declared arguments, in order.
    public let arguments: [SchemaArgument]
    /// Number of results (`-> (Tensor, Tensor)` has two).
    public let resultCount: Int
    /// The declaration as written.
    public let declaration: String

    /// The declaration.
    public var description: String { declaration }

    /// Parses a declaration. A malformed declaration is a programming error in SwiftTorch
    /// itself, so it stops the program at registration with the reason.
    public convenience init(_ declaration: String) {
        do {
            let parsed = try SchemaParser.parse(declaration)
            self.init(name: parsed.name, arguments: parsed.arguments, resultCount: parsed.resultCount, declaration: declaration)
        } catch {
            preconditionFailure("malformed operator schema '\(declaration)': \(error)")
        }
    }

    // Facts the dispatcher asks on every call, worked out once when the operator is
    // declared, so that a call never looks an argument up by name.
    /// The slot of `self`, if the operator has one.
    public let selfSlot: Int?
    /// The slot of `device`, if the operator has one.
    public let deviceSlot: Int?
    /// PyTorch's convention: a trailing underscore marks an operator that writes `self`.
    public let isInPlace: Bool
    /// The positions of tensor-valued arguments, in declaration order.
    public let tensorArgumentIndices: [Int]
    /// How many arguments a call may pass by position (those before `*`).
    public let positionalLimit: Int
    /// Each argument's type as a plain byte, so that binding checks a value against it
    /// without copying the indirect ``ArgumentType`` (a retain and a release per argument).
    let bindingKinds: [BindingKind]
    /// Argument names in slot order, for the name-to-slot lookup.
    private let names: [String]

    init(name: String, arguments: [SchemaArgument], resultCount: Int, declaration: String) {
        self.name = name
        self.id = schemaIDs.add(1, ordering: .relaxed).newValue
        self.arguments = arguments
        self.resultCount = resultCount
        self.declaration = declaration
        self.names = arguments.map(\.name)
        self.selfSlot = names.firstIndex(of: "self")
        self.deviceSlot = names.firstIndex(of: "device")
        self.isInPlace = name.hasSuffix("_")
        self.tensorArgumentIndices = arguments.indices.filter { [.tensor, .tensorList].contains(arguments[$0].type.base) }
        self.positionalLimit = arguments.firstIndex(where: \.keywordOnly) ?? arguments.count
        self.bindingKinds = arguments.map { BindingKind($0.type) }
    }

    /// Whether the operator has a `self` argument.
    public var hasSelfArgument: Bool { selfSlot != nil }
    /// Whether the operator has a `device` argument.
    public var hasDeviceArgument: Bool { deviceSlot != nil }

    /// The slot that holds argument `name`, or nil. Names are short, so comparing them in
    /// order beats hashing; kernels on hot paths may keep the slot instead.
    @inline(__always)
    public func slot(of name: String) -> Int? {
        // Lengths first: a small string's length is in its bits, so most mismatches cost
        // no character comparison.
        let length = name.utf8.count
        var i = 0
        while i < names.count {
            if names[i].utf8.count == length, names[i] == name { return i }
            i += 1
        }
        return nil
    }
}

enum SchemaParser {
    struct Failure: Error, CustomStringConvertible { let description: String }

    static func parse(_ text: String) throws -> (name: String, arguments: [SchemaArgument], resultCount: Int) {
        let halves = text.split(separator: "->", maxSplits: 1, omittingEmptySubsequences: false)
        guard halves.count == 2, let open = halves[0].firstIndex(of: "("), let close = halves[0].lastIndex(of: ")") else {
            throw Failure(description: "expected name(args) -> results")
        }
        let head = halves[0]
        let name = head[..<open].trimmingCharacters(in: " ")
        let argText = String(head[head.index(after: open)..<close])
        let results = halves[1].trimmingCharacters(in: " ")
        let resultCount = results.hasPrefix("(") ? results.split(separator: ",").count : 1
        var arguments: [SchemaArgument] = []
        var keywordOnly = false
        for piece in splitTopLevel(argText) {
            let item = piece.trimmingCharacters(in: " ")
            if item.isEmpty { continue }
            if item == "*" { keywordOnly = true; continue }
            let (decl, defaultText) = item.split(separator: "=", maxSplits: 1).map(String.init).pair
            let parts = decl.split(separator: " ").map(String.init)
            guard parts.count == 2 else { throw Failure(description: "argument '\(item)'") }
            let type = try parseType(parts[0])
            let value = try defaultText.map { try parseDefault($0.trimmingCharacters(in: " "), type: type) }
            arguments.append(SchemaArgument(name: parts[1], type: type, defaultValue: value, keywordOnly: keywordOnly))
        }
        return (name, arguments, resultCount)
    }

    static func splitTopLevel(_ s: String) -> [String] {
        var parts: [String] = [], current = "", depth = 0
        for c in s {
            if c == "[" { depth += 1 } else if c == "]" { depth -= 1 }
            if c == ",", depth == 0 { parts.append(current); current = "" } else { current.append(c) }
        }
        parts.append(current)
        return parts
    }

    static func parseType(_ s: String) throws -> ArgumentType {
        if s.hasSuffix("?") { return .optional(try parseType(String(s.dropLast()))) }
        switch s {
        case "Tensor": return .tensor
        case "Tensor[]": return .tensorList
        case "Scalar": return .scalar
        case "int": return .int
        case "int[]": return .intList
        case "float": return .float
        case "bool": return .bool
        case "str": return .string
        case "ScalarType": return .dtype
        case "Device": return .device
        default: throw Failure(description: "unknown type '\(s)'")
        }
    }

    static func parseDefault(_ s: String, type: ArgumentType) throws -> ArgumentValue {
        if s == "None" { return .none }
        switch type.base {
        case .bool: return .bool(s == "True")
        case .int: if let v = Int(s) { return .int(v) }
        case .float: if let v = Double(s) { return .double(v) }
        case .scalar: if let v = Int(s) { return .int(v) } else if let v = Double(s) { return .double(v) }
        case .string: return .string(String(s.dropFirst().dropLast()))
        case .intList:
            let inner = s.dropFirst().dropLast().split(separator: ",").map { $0.trimmingCharacters(in: " ") }
            return .ints(try inner.map { guard let v = Int($0) else { throw Failure(description: "default \(s)") }; return v })
        default: break
        }
        throw Failure(description: "default '\(s)' for \(type)")
    }
}

private extension Array where Element == String {
    var pair: (String, String?) { (self[0], count > 1 ? self[1] : nil) }
}

extension String {
    func trimmingCharacters(in set: Character) -> String {
        var s = Substring(self)
        while s.first == set { s = s.dropFirst() }
        while s.last == set { s = s.dropLast() }
        return String(s)
    }
}
extension Substring {
    func trimmingCharacters(in set: Character) -> String { String(self).trimmingCharacters(in: set) }
}

private let schemaIDs = Atomic<Int>(0)

/// The argument types whose common values bind as they are, for the binder's fast check.
enum BindingKind: UInt8 {
    /// `Tensor`: a tensor, or a Swift number that stays a number (see `Arguments.tensor(_:)`).
    case tensor
    /// `Tensor?` given a tensor.
    case optionalTensor
    /// `Scalar`: an int or a double.
    case scalar
    /// `int`, `bool`, `float`: the matching Swift value.
    case int, bool, float
    /// Every other type: the full check.
    case other

    init(_ type: ArgumentType) {
        switch type {
        case .tensor: self = .tensor
        case .optional(.tensor): self = .optionalTensor
        case .scalar: self = .scalar
        case .int: self = .int
        case .bool: self = .bool
        case .float: self = .float
        default: self = .other
        }
    }

    /// Whether `value` binds to this kind unchanged.
    @inline(__always)
    func acceptsAsIs(_ value: ArgumentValue) -> Bool {
        switch self {
        case .tensor:
            switch value {
            case .tensor, .double, .int, .bool: return true
            default: return false
            }
        case .optionalTensor:
            if case .tensor = value { return true }
            return false
        case .scalar:
            switch value {
            case .double, .int: return true
            default: return false
            }
        case .int:
            if case .int = value { return true }
            return false
        case .bool:
            if case .bool = value { return true }
            return false
        case .float:
            if case .double = value { return true }
            return false
        case .other:
            return false
        }
    }
}
