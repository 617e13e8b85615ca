/// A value passed to an operator: a tensor, a list of them, or a constant.
public enum ArgumentValue {
    /// A tensor (`Tensor` in a schema).
    case tensor(Tensor)
    /// A list of tensors (`Tensor[]`).
    case tensorList([Tensor])
    /// An integer (`int`, or `Scalar`).
    case int(Int)
    /// A list of integers (`int[]`).
    case ints([Int])
    /// A floating-point number (`float`, or `Scalar`).
    case double(Double)
    /// A boolean (`bool`, or `Scalar`).
    case bool(Bool)
    /// A string (`str`).
    case string(String)
    /// An element type (`ScalarType`).
    case dtype(DType)
    /// A device (`Device`).
    case device(Device)
    /// No value: Python's `None` for an optional argument.
    case none

    /// A Swift number (`Scalar` in a schema).
    @inline(__always)
    public var isNumber: Bool {
        switch self {
        case .int, .double, .bool: true
        default: false
        }
    }

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
    /// Equal constants, or the very same tensors (by identity); NaN equals NaN here.
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
    /// The schema the values are bound to.
    public let schema: OperatorSchema
    /// One value per declared argument, in declaration order.
    public var values: [ArgumentValue]

    /// Values already bound to `schema`, one per argument.
    public init(schema: OperatorSchema, values: [ArgumentValue]) {
        self.schema = schema
        self.values = values
    }

    /// The slot of argument `name`; a name the schema lacks is a programming error.
    @inline(__always)
    public func index(of name: String) -> Int {
        guard let i = schema.slot(of: name) else {
            preconditionFailure("internal: \(schema.name) has no argument '\(name)'")
        }
        return i
    }

    /// The slot of `name`, remembered by the name after the first call (see ``ArgumentName``).
    @inline(__always)
    public func index(of name: ArgumentName) -> Int {
        guard let i = name.slot(in: schema) else {
            preconditionFailure("internal: \(schema.name) has no argument '\(name)'")
        }
        return i
    }

    /// The value of argument `name`.
    public subscript(name: String) -> ArgumentValue {
        get { values[index(of: name)] }
        set { values[index(of: name)] = newValue }
    }

    /// The value of argument `name`, through its remembered slot.
    public subscript(name: ArgumentName) -> ArgumentValue {
        get { values[index(of: name)] }
        set { values[index(of: name)] = newValue }
    }

    /// ``tensor(_:)`` through a remembered slot.
    public func tensor(_ name: ArgumentName) -> Tensor { tensor(at: index(of: name)) }

    /// ``double(_:)`` through a remembered slot.
    public func double(_ name: ArgumentName) -> Double { double(at: index(of: name)) }

    /// The tensor in slot `name`. A Swift number passed for a tensor stays a number until
    /// something asks for it as a tensor: then it is a wrapped 0-d tensor, as PyTorch wraps
    /// Python numbers (elementwise meta rules read the number itself and never ask).
    public func tensor(_ name: String) -> Tensor { tensor(at: index(of: name)) }

    @inline(__always)
    private func tensor(at slot: Int) -> Tensor {
        // Lent, not copied: see `forEachTensor`.
        values.withUnsafeBufferPointer { values in
            switch values[slot] {
            case .tensor(let t): return t
            case let number where number.isNumber: return Tensor.wrappedNumber(number)
            default: preconditionFailure("internal: \(schema.name).\(schema.arguments[slot].name) is not a tensor")
            }
        }
    }
    /// The tensor in slot `name` (a number wrapped as a 0-d tensor), or nil for `None`.
    public func optionalTensor(_ name: String) -> Tensor? {
        switch self[name] {
        case .tensor(let t): return t
        case let number where number.isNumber: return Tensor.wrappedNumber(number)
        default: return nil
        }
    }
    /// The tensors of a `Tensor[]` argument.
    public func tensorList(_ name: String) -> [Tensor] {
        guard case .tensorList(let t) = self[name] else { preconditionFailure("internal: \(schema.name).\(name) is not a tensor list") }
        return t
    }
    /// The value of an `int` argument.
    public func int(_ name: String) -> Int {
        guard case .int(let v) = self[name] else { preconditionFailure("internal: \(schema.name).\(name) is not an int") }
        return v
    }
    /// The value of an `int?` argument, nil for `None`.
    public func optionalInt(_ name: String) -> Int? {
        if case .int(let v) = self[name] { return v }
        return nil
    }
    /// The value of an `int[]` argument.
    public func ints(_ name: String) -> [Int] {
        guard case .ints(let v) = self[name] else { preconditionFailure("internal: \(schema.name).\(name) is not an int list") }
        return v
    }
    /// The value of an `int[]?` argument, nil for `None`.
    public func optionalInts(_ name: String) -> [Int]? {
        if case .ints(let v) = self[name] { return v }
        return nil
    }
    /// The value of a number argument as a `Double` (an int or a bool converted).
    public func double(_ name: String) -> Double { double(at: index(of: name)) }

    @inline(__always)
    private func double(at slot: Int) -> Double {
        values.withUnsafeBufferPointer { values in double(values[slot], slot: slot) }
    }

    @inline(__always)
    private func double(_ value: ArgumentValue, slot: Int) -> Double {
        switch value {
        case .double(let v): return v
        case .int(let v): return Double(v)
        case .bool(let v): return v ? 1 : 0
        default: preconditionFailure("internal: \(schema.name).\(schema.arguments[slot].name) is not a number")
        }
    }
    /// The value of an optional number argument, nil for `None`.
    public func optionalDouble(_ name: String) -> Double? {
        if case .none = self[name] { return nil }
        return double(name)
    }
    /// The value of a `bool` argument.
    public func bool(_ name: String) -> Bool {
        guard case .bool(let v) = self[name] else { preconditionFailure("internal: \(schema.name).\(name) is not a bool") }
        return v
    }
    /// The value of a `str` argument.
    public func string(_ name: String) -> String {
        guard case .string(let v) = self[name] else { preconditionFailure("internal: \(schema.name).\(name) is not a string") }
        return v
    }
    /// The value of a `str?` argument, nil for `None`.
    public func optionalString(_ name: String) -> String? {
        if case .string(let v) = self[name] { return v }
        return nil
    }
    /// The value of a `ScalarType?` argument, nil for `None`.
    public func optionalDType(_ name: String) -> DType? {
        if case .dtype(let v) = self[name] { return v }
        return nil
    }
    /// The value of a `Device?` argument, nil for `None`.
    public func optionalDevice(_ name: String) -> Device? {
        if case .device(let v) = self[name] { return v }
        return nil
    }

    /// Every tensor among the arguments, lists flattened, in declaration order; a number
    /// passed for a tensor counts as its wrapped 0-d tensor (derivative formulas return one
    /// gradient per entry of this list).
    public var tensors: [Tensor] {
        var out: [Tensor] = []
        for i in schema.tensorArgumentIndices {
            switch values[i] {
            case .tensor(let t): out.append(t)
            case .tensorList(let ts): out.append(contentsOf: ts)
            case let number where number.isNumber: out.append(Tensor.wrappedNumber(number))
            default: break
            }
        }
        return out
    }

    /// Visits every real tensor among the arguments in declaration order, without building a
    /// list (the dispatcher asks this on every call). Numbers passed for tensors are skipped:
    /// they live on no device and never want gradients.
    ///
    /// The values are read through a buffer pointer, which lends each one: reading
    /// `values[i]` would copy it (a retain and a release per tensor, per pass).
    @inline(__always)
    public func forEachTensor(_ body: (Tensor) throws -> Void) rethrows {
        try values.withUnsafeBufferPointer { values in
            for i in schema.tensorArgumentIndices {
                switch values[i] {
                case .tensor(let t): try body(t)
                case .tensorList(let ts): for t in ts { try body(t) }
                default: break
                }
            }
        }
    }

    /// Replaces numbers in tensor slots by wrapped 0-d tensors, for code that walks the
    /// values itself (kernels, plugins, the device hop).
    public mutating func wrapNumbers() {
        // Most calls have none: look first without the array access a write needs.
        let hasNumbers = values.withUnsafeBufferPointer { values in
            schema.tensorArgumentIndices.contains { values[$0].isNumber }
        }
        guard hasNumbers else { return }
        for i in schema.tensorArgumentIndices where values[i].isNumber {
            values[i] = .tensor(Tensor.wrappedNumber(values[i]))
        }
    }

    /// Whether any tensor argument records gradients.
    public var anyRequiresGrad: Bool {
        values.withUnsafeBufferPointer { values in
            for i in schema.tensorArgumentIndices {
                switch values[i] {
                case .tensor(let t) where t.requiresGrad: return true
                case .tensorList(let ts) where ts.contains(where: { $0.requiresGrad }): return true
                default: continue
                }
            }
            return false
        }
    }
}

extension OperatorSchema {
    /// Binds positional and keyword values to this schema, filling defaults and coercing as
    /// PyTorch's argument parser does (a number where a tensor is expected becomes a
    /// wrapped-number tensor; a single int where `int[]` is expected becomes a list).
    public func bind(_ positional: consuming [ArgumentValue], _ keywords: [(String, ArgumentValue)] = []) throws -> Arguments {
        // Arguments after `*` are keyword-only, as in PyTorch.
        guard positional.count <= positionalLimit else {
            throw TorchError(.invalidArgument, "\(name)() takes \(positionalLimit) positional arguments but \(positional.count) were given; schema: \(declaration)")
        }
        if keywords.isEmpty { return try bindPositional(positional) }
        return try bindByName(positional, keywords)
    }

    /// Binds a value for every argument, in declaration order, keyword-only ones included:
    /// the typed Swift API, which knows every slot, binds without growing its list.
    public func bind(slots values: consuming [ArgumentValue]) throws -> Arguments {
        precondition(values.count == arguments.count, "internal: \(name) has \(arguments.count) arguments, not \(values.count)")
        return try bindPositional(values)
    }

    /// The typed front end's path: values by position only. The caller's array becomes the
    /// call's argument list, coerced and completed with defaults in place, so binding costs
    /// no lookup by name and at most one growth of that array.
    private func bindPositional(_ positional: consuming [ArgumentValue]) throws -> Arguments {
        var values = positional
        // Values the typed API passes already have their types: check that in place (through
        // lent values and plain bytes), and convert only when something needs it.
        let asIs = values.withUnsafeBufferPointer { v in
            bindingKinds.withUnsafeBufferPointer { kinds in
                v.indices.allSatisfy { kinds[$0].acceptsAsIs(v[$0]) }
            }
        }
        if !asIs {
            for i in values.indices {
                if let coerced = try coerceIfNeeded(values[i], to: arguments[i]) { values[i] = coerced }
            }
        }
        if values.count < arguments.count {
            values.reserveCapacity(arguments.count)
            for argument in arguments[values.count...] {
                guard let given = argument.defaultValue else {
                    throw TorchError(.invalidArgument, "\(name)() missing required argument '\(argument.name)' (\(argument.type)); schema: \(declaration)")
                }
                values.append(given)
            }
        }
        return Arguments(schema: self, values: values)
    }

    private func bindByName(_ positional: [ArgumentValue], _ keywords: [(String, ArgumentValue)]) throws -> Arguments {
        var slots = [ArgumentValue?](repeating: nil, count: arguments.count)
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
        try coerceIfNeeded(value, to: argument) ?? value
    }

    /// The value converted to the argument's type, or nil when it already has that type (the
    /// common case, which then costs no copy).
    @inline(__always)
    private func coerceIfNeeded(_ value: ArgumentValue, to argument: SchemaArgument) throws -> ArgumentValue? {
        switch (argument.type, value) {
        case (.tensor, .tensor), (.optional(.tensor), .tensor), (.int, .int), (.bool, .bool), (.float, .double),
             (.scalar, .double), (.scalar, .int),
             // A number for a tensor stays a number: see `Arguments.tensor(_:)`.
             (.tensor, .double), (.tensor, .int), (.tensor, .bool): return nil
        default: return try coerceSlow(value, to: argument)
        }
    }

    private func coerceSlow(_ value: ArgumentValue, to argument: SchemaArgument) throws -> ArgumentValue? {
        let type = argument.type
        if case .none = value {
            if type.isOptional { return ArgumentValue.none }
            throw TorchError(.invalidArgument, "\(name)(): argument '\(argument.name)' must be \(type), not None")
        }
        switch (type.base, value) {
        case (.tensor, .tensor), (.tensorList, .tensorList), (.int, .int), (.intList, .ints),
             (.bool, .bool), (.string, .string), (.dtype, .dtype), (.device, .device), (.float, .double):
            return value
        case (.tensor, .int), (.tensor, .double), (.tensor, .bool):
            return value  // stays a number: see `Arguments.tensor(_:)`
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
    public static func wrappedNumber(_ value: ArgumentValue) -> Tensor {
        switch value {
        case .double: number(value, as: .float64)
        case .int: number(value, as: .int64)
        case .bool: number(value, as: .bool)
        default: preconditionFailure("internal: \(value.typeName) is not a number")
        }
    }

    /// A Swift number as a wrapped-number tensor of `dtype`, converted on the host by
    /// `_to_copy`'s rules (so a scalar operand costs no cast dispatch), and seen with `shape`
    /// through stride 0: every element reads the one value.
    ///
    /// `readOnly`: the caller never writes the result nor sets its autograd fields (an
    /// elementwise input), so it may be the tensor a recent call made for the same number and
    /// shape (`NumberTensorCache`).
    public static func number(_ value: ArgumentValue, as dtype: DType, broadcastTo shape: [Int] = [],
                              readOnly: Bool = false) -> Tensor {
        if readOnly { return NumberTensorCache.tensor(for: value, as: dtype, shape: shape) }
        let storage = Storage.scalarOnCPU(dtype)
        store(value, as: dtype, at: storage.data)
        return Tensor(uncheckedStorage: storage, shape: shape, strides: zeroStrides(rank: shape.count), offset: 0,
                      dtype: dtype, isWrappedNumber: true)
    }

    /// Writes a Swift number as one element of `dtype` at `p`.
    static func store(_ value: ArgumentValue, as dtype: DType, at p: UnsafeMutableRawPointer) {
        switch value {
        case .double(let v): dtype.store(v, at: p, element: 0)
        case .int(let v): dtype.store(Int64(v), at: p, element: 0)
        case .bool(let v): dtype.store(Int64(v ? 1 : 0), at: p, element: 0)
        default: preconditionFailure("internal: \(value.typeName) is not a number")
        }
    }

    /// The value of a wrapped number (a 0-d host tensor) as a Swift number.
    public var wrappedValue: ArgumentValue {
        precondition(device.isCPU && count == 1, "internal: wrappedValue of \(dtype)\(shape) on \(device)")
        let p = storage.data
        switch dtype {
        case .float32: return .double(Double(p.load(fromByteOffset: offset * 4, as: Float.self)))
        case .float64: return .double(p.load(fromByteOffset: offset * 8, as: Double.self))
        case .int32: return .int(Int(p.load(fromByteOffset: offset * 4, as: Int32.self)))
        case .int64: return .int(Int(p.load(fromByteOffset: offset * 8, as: Int64.self)))
        case .bool: return .bool(p.load(fromByteOffset: offset, as: UInt8.self) != 0)
        }
    }
}

/// All-zero stride lists for the ranks tensors usually have, shared so that a broadcast
/// scalar costs no array allocation.
private let sharedZeroStrides: [[Int]] = (0...8).map { [Int](repeating: 0, count: $0) }

@inline(__always)
func zeroStrides(rank: Int) -> [Int] {
    rank < sharedZeroStrides.count ? sharedZeroStrides[rank] : [Int](repeating: 0, count: rank)
}
