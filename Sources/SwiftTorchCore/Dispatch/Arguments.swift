/// A value passed to an operator: a tensor, a list of them, or a constant.
public enum ArgumentValue {
    case tensor(Tensor)
    case tensorList([Tensor])
    case int(Int)
    case ints([Int])
    case double(Double)
    case bool(Bool)
    case string(String)
    case dtype(DType)
    case device(Device)
    case none

    /// A short type name for error messages.
    public var typeName: String {
        switch self {
        case .tensor: "Tensor"
        case .tensorList: "Tensor[]"
        case .int: "int"
        case .ints: "int[]"
        case .double: "float"
        case .bool: "bool"
        case .string: "str"
        case .dtype: "ScalarType"
        case .device: "Device"
        case .none: "None"
        }
    }
}

// Defaults are parsed constants and never hold a tensor, so sharing them is safe.
extension SchemaArgument: @unchecked Sendable {}
extension ArgumentValue: Equatable {
    public static func == (a: ArgumentValue, b: ArgumentValue) -> Bool {
        switch (a, b) {
        case (.tensor(let x), .tensor(let y)): x === y
        case (.tensorList(let x), .tensorList(let y)): x.count == y.count && zip(x, y).allSatisfy { $0 === $1 }
        case (.int(let x), .int(let y)): x == y
        case (.ints(let x), .ints(let y)): x == y
        case (.double(let x), .double(let y)): x == y || (x.isNaN && y.isNaN)
        case (.bool(let x), .bool(let y)): x == y
        case (.string(let x), .string(let y)): x == y
        case (.dtype(let x), .dtype(let y)): x == y
        case (.device(let x), .device(let y)): x == y
        case (.none, .none): true
        default: false
        }
    }
}

/// A call's arguments bound to a schema: one value per declared argument, defaults filled
/// in and types checked, so kernels read them by name without further validation.
public struct Arguments {
    public let schema: OperatorSchema
    public var values: [ArgumentValue]

    public init(schema: OperatorSchema, values: [ArgumentValue]) {
        self.schema = schema
        self.values = values
    }

    public func index(of name: String) -> Int {
        guard let i = schema.arguments.firstIndex(where: { $0.name == name }) else {
            preconditionFailure("internal: \(schema.name) has no argument '\(name)'")
        }
        return i
    }

    public subscript(name: String) -> ArgumentValue {
        get { values[index(of: name)] }
        set { values[index(of: name)] = newValue }
    }

    public func tensor(_ name: String) -> Tensor {
        guard case .tensor(let t) = self[name] else { preconditionFailure("internal: \(schema.name).\(name) is not a tensor") }
        return t
    }
    public func optionalTensor(_ name: String) -> Tensor? {
        if case .tensor(let t) = self[name] { return t }
        return nil
    }
    public func tensorList(_ name: String) -> [Tensor] {
        guard case .tensorList(let t) = self[name] else { preconditionFailure("internal: \(schema.name).\(name) is not a tensor list") }
        return t
    }
    public func int(_ name: String) -> Int {
        guard case .int(let v) = self[name] else { preconditionFailure("internal: \(schema.name).\(name) is not an int") }
        return v
    }
    public func optionalInt(_ name: String) -> Int? {
        if case .int(let v) = self[name] { return v }
        return nil
    }
    public func ints(_ name: String) -> [Int] {
        guard case .ints(let v) = self[name] else { preconditionFailure("internal: \(schema.name).\(name) is not an int list") }
        return v
    }
    public func optionalInts(_ name: String) -> [Int]? {
        if case .ints(let v) = self[name] { return v }
        return nil
    }
    public func double(_ name: String) -> Double {
        switch self[name] {
        case .double(let v): return v
        case .int(let v): return Double(v)
        case .bool(let v): return v ? 1 : 0
        default: preconditionFailure("internal: \(schema.name).\(name) is not a number")
        }
    }
    public func optionalDouble(_ name: String) -> Double? {
        if case .none = self[name] { return nil }
        return double(name)
    }
    public func bool(_ name: String) -> Bool {
        guard case .bool(let v) = self[name] else { preconditionFailure("internal: \(schema.name).\(name) is not a bool") }
        return v
    }
    public func string(_ name: String) -> String {
        guard case .string(let v) = self[name] else { preconditionFailure("internal: \(schema.name).\(name) is not a string") }
        return v
    }
    public func optionalString(_ name: String) -> String? {
        if case .string(let v) = self[name] { return v }
        return nil
    }
    public func optionalDType(_ name: String) -> DType? {
        if case .dtype(let v) = self[name] { return v }
        return nil
    }
    public func optionalDevice(_ name: String) -> Device? {
        if case .device(let v) = self[name] { return v }
        return nil
    }

    /// Every tensor among the arguments, lists flattened, in declaration order.
    public var tensors: [Tensor] {
        values.flatMap { v -> [Tensor] in
            switch v {
            case .tensor(let t): [t]
            case .tensorList(let ts): ts
            default: []
            }
        }
    }
}

extension OperatorSchema {
    /// Binds positional and keyword values to this schema, filling defaults and coercing as
    /// PyTorch's argument parser does (a number where a tensor is expected becomes a
    /// wrapped-number tensor; a single int where `int[]` is expected becomes a list).
    public func bind(_ positional: [ArgumentValue], _ keywords: [(String, ArgumentValue)] = []) throws -> Arguments {
        var slots = [ArgumentValue?](repeating: nil, count: arguments.count)
        // Arguments after `*` are keyword-only, as in PyTorch.
        let positionalLimit = arguments.firstIndex(where: \.keywordOnly) ?? arguments.count
        guard positional.count <= positionalLimit else {
            throw TorchError(.invalidArgument, "\(name)() takes \(positionalLimit) positional arguments but \(positional.count) were given; schema: \(declaration)")
        }
        for (i, v) in positional.enumerated() { slots[i] = v }
        for (key, v) in keywords {
            guard let i = arguments.firstIndex(where: { $0.name == key }) else {
                throw TorchError(.invalidArgument, "\(name)() got an unexpected keyword argument '\(key)'; schema: \(declaration)")
            }
            if slots[i] != nil {
                throw TorchError(.invalidArgument, "\(name)() got multiple values for argument '\(key)'")
            }
            slots[i] = v
        }
        var values: [ArgumentValue] = []
        values.reserveCapacity(arguments.count)
        for (i, argument) in arguments.enumerated() {
            guard let given = slots[i] ?? argument.defaultValue else {
                throw TorchError(.invalidArgument, "\(name)() missing required argument '\(argument.name)' (\(argument.type)); schema: \(declaration)")
            }
            values.append(try coerce(given, to: argument))
        }
        return Arguments(schema: self, values: values)
    }

    private func coerce(_ value: ArgumentValue, to argument: SchemaArgument) throws -> ArgumentValue {
        let type = argument.type
        if case .none = value {
            if type.isOptional { return .none }
            throw TorchError(.invalidArgument, "\(name)(): argument '\(argument.name)' must be \(type), not None")
        }
        switch (type.base, value) {
        case (.tensor, .tensor), (.tensorList, .tensorList), (.int, .int), (.intList, .ints),
             (.bool, .bool), (.string, .string), (.dtype, .dtype), (.device, .device), (.float, .double):
            return value
        case (.tensor, .int), (.tensor, .double), (.tensor, .bool):
            return .tensor(try Tensor.wrappedNumber(value))
        case (.scalar, .int), (.scalar, .double), (.scalar, .bool):
            return value
        case (.scalar, .tensor(let t)) where t.count == 1 && t.device.isCPU:
            return t.dtype.isFloatingPoint ? .double(t.doubleValues()[0]) : .int(Int(t.int64Values()[0]))
        case (.float, .int(let v)):
            return .double(Double(v))
        case (.intList, .int(let v)):
            return .ints([v])
        case (.dtype, .string(let s)):
            if let d = DType(name: s) { return .dtype(d) }
        case (.device, .string(let s)):
            if let d = Device(name: s) { return .device(d) }
        default:
            break
        }
        throw TorchError(.invalidArgument, "\(name)(): argument '\(argument.name)' must be \(type), not \(value.typeName)")
    }
}

extension Tensor {
    /// A 0-d CPU tensor holding a Swift number used as an operand; it promotes like a
    /// Python scalar: `Double` as the default float type, `Int` as int64, `Bool` as bool.
    public static func wrappedNumber(_ value: ArgumentValue) throws -> Tensor {
        switch value {
        case .double(let v):
            let t = Tensor(storage: try .cpu(byteCount: 8), shape: [], strides: [], offset: 0, dtype: .float64, isWrappedNumber: true)
            t.storage.data.storeBytes(of: v, as: Double.self)
            return t
        case .int(let v):
            let t = Tensor(storage: try .cpu(byteCount: 8), shape: [], strides: [], offset: 0, dtype: .int64, isWrappedNumber: true)
            t.storage.data.storeBytes(of: Int64(v), as: Int64.self)
            return t
        case .bool(let v):
            let t = Tensor(storage: try .cpu(byteCount: 1), shape: [], strides: [], offset: 0, dtype: .bool, isWrappedNumber: true)
            t.storage.data.storeBytes(of: UInt8(v ? 1 : 0), as: UInt8.self)
            return t
        default:
            preconditionFailure("internal: \(value.typeName) is not a number")
        }
    }
}
