import SwiftTorchCore

/// Draws one call's arguments from an operator's schema: every argument by its real name
/// and type, tensors of every dtype and layout, numbers at their types' limits. Arguments
/// with defaults are sometimes left out, optional ones sometimes `None`, and a few get a
/// value of the wrong type, which binding must reject with an error.
struct FuzzArguments {
    let schema: OperatorSchema
    let shapes: FuzzShapes
    let named: FuzzNamedValues
    /// The dtype most tensor arguments of this call share.
    let dtype: DType
    /// Tensors made so far, which later arguments may alias.
    private var made: [Tensor] = []
    /// The last `size` drawn, for `as_strided`'s `stride`.
    private var lastSize: [Int] = []
    /// Values that fit together for this operator (see ``FuzzRecipes``), for some calls.
    private let recipe: [String: RecipeValue]?

    init(_ schema: OperatorSchema, _ rng: inout FuzzRandom) {
        self.schema = schema
        shapes = FuzzShapes(&rng)
        named = FuzzNamedValues(shape: shapes.base, pool: shapes.pool, listLength: shapes.listShapes.count)
        recipe = rng.chance(0.6) ? FuzzRecipes.recipe(for: schema.name, &rng) : nil
        // Operators with recipes compute on floating point; others take every dtype alike.
        dtype = recipe != nil && rng.chance(0.85) ? rng.pick([.float32, .float64])
            : rng.pick([.float32, .float32, .float32, .float64, .int64, .int32, .bool])
    }

    /// The call: values for a prefix of the arguments by position, the rest by name.
    mutating func draw(_ rng: inout FuzzRandom) throws -> (positional: [ArgumentValue], keywords: [(String, ArgumentValue)]) {
        var given: [(index: Int, name: String, value: ArgumentValue)] = []
        for (i, argument) in schema.arguments.enumerated() {
            if argument.defaultValue != nil, rng.chance(0.3) { continue }
            given.append((i, argument.name, try value(for: argument, &rng)))
        }
        if rng.chance(0.01) { given.append((-1, "fuzz_unknown_argument", .int(1))) }
        // Leading arguments given in order and before `*` may go by position, as PyTorch allows.
        var prefix = 0
        while prefix < given.count, given[prefix].index == prefix, prefix < schema.positionalLimit { prefix += 1 }
        let positionalCount = rng.chance(0.2) ? rng.int(0...prefix) : 0
        return (given.prefix(positionalCount).map(\.value), given.dropFirst(positionalCount).map { ($0.name, $0.value) })
    }

    private mutating func value(for argument: SchemaArgument, _ rng: inout FuzzRandom) throws -> ArgumentValue {
        if argument.type.isOptional, rng.chance(0.15) { return .none }
        if rng.chance(0.01) { return wrongType(&rng) }
        let name = argument.name
        if let planned = recipe?[name], let value = try fromRecipe(planned, argument, &rng) { return value }
        switch argument.type.base {
        case .tensor: return try tensor(name, &rng)
        case .tensorList: return try tensorList(&rng)
        case .scalar: return FuzzArguments.number(&rng)
        case .int: return .int(named.int(schema.name, name, &rng))
        case .intList:
            let list = name == "stride" && schema.name == "as_strided" ? named.strides(for: lastSize, &rng) : named.ints(schema.name, name, &rng)
            if name == "size" { lastSize = list }
            return .ints(list)
        case .float: return .double(FuzzArguments.float(name, &rng))
        case .bool: return .bool(rng.chance(0.5))
        case .string: return .string(FuzzArguments.string(name, &rng))
        case .dtype: return .dtype(rng.pick(DType.allCases))
        case .device: return .device(rng.chance(0.9) ? .cpu : .cuda(rng.pick([0, 0, 7])))
        case .optional: return .none  // `base` never is optional
        }
    }

    /// The recipe's value for `argument`, kept as planned most of the time; nil when the
    /// planned kind does not fit the argument's type.
    private mutating func fromRecipe(_ planned: RecipeValue, _ argument: SchemaArgument, _ rng: inout FuzzRandom) throws -> ArgumentValue? {
        switch (planned, argument.type.base) {
        case (.shape(let shape), .tensor):
            return .tensor(try madeTensor(shape, elements: .values, dtype: rng.chance(0.9) ? dtype : rng.pick(DType.allCases), &rng))
        case (.shapes(let shapes), .tensorList):
            return .tensorList(try shapes.map { try madeTensor($0, elements: .values, dtype: rng.chance(0.9) ? dtype : rng.pick(DType.allCases), &rng) })
        case (.indices(let shape, let limit), .tensor):
            return .tensor(try madeTensor(shape, elements: .indices(limit: limit), dtype: rng.chance(0.9) ? .int64 : rng.pick(DType.allCases), &rng))
        case (.ints(let values), .intList) where rng.chance(0.9):
            return .ints(values)
        case (.int(let value), .int) where rng.chance(0.9):
            return .int(value)
        default:
            return nil
        }
    }

    /// A tensor of `shape` in a random layout, remembered for aliasing.
    private mutating func madeTensor(_ shape: [Int], elements: FuzzElements, dtype: DType, _ rng: inout FuzzRandom) throws -> Tensor {
        let layout: FuzzLayout = rng.chance(0.5) ? .contiguous : rng.pick(FuzzLayout.allCases)
        let t = try FuzzTensors.make(shape, dtype, layout, elements, &rng)
        made.append(t)
        return t
    }

    /// A tensor for argument `name`, occasionally a Swift number or an alias of an earlier
    /// argument (the same tensor or a transposed view of it).
    private mutating func tensor(_ name: String, _ rng: inout FuzzRandom) throws -> ArgumentValue {
        if rng.chance(0.05) { return FuzzArguments.number(&rng) }
        if !made.isEmpty, rng.chance(0.07) {
            let other = rng.pick(made)
            // Only small tensors are transposed: a [1, n] operand against its [n, 1] alias
            // broadcasts to n * n elements, which is slow, not wrong.
            if other.rank >= 2, shapes.scale == .small, rng.chance(0.5) { return .tensor(try dispatch(Op.transpose, [.tensor(other), .int(0), .int(1)])) }
            return .tensor(other)
        }
        let shape = made.isEmpty ? shapes.base : shapes.variant(&rng)
        if holdsIndices(name) {
            let dtype: DType = rng.chance(0.85) ? .int64 : rng.pick(DType.allCases)
            // Positions stay below 256 even in large calls: one_hot's output is elements x
            // (largest + 1), which for 60,000 positions near 60,000 is 29 GB to fill.
            return .tensor(try madeTensor(shape, elements: .indices(limit: Swift.min(named.largestDim, 256)), dtype: dtype, &rng))
        }
        let dtype: DType = (name == "condition" || name == "mask") && rng.chance(0.85) ? .bool : rng.chance(0.75) ? self.dtype : rng.pick(DType.allCases)
        return .tensor(try madeTensor(shape, elements: .values, dtype: dtype, &rng))
    }

    /// Whether tensor argument `name` holds positions rather than data.
    private func holdsIndices(_ name: String) -> Bool {
        switch (schema.name, name) {
        case (_, "index"), (_, "indices"), ("embedding", "input"), ("one_hot", "self"): true
        case ("nll_loss", "target"), ("cross_entropy", "target"), ("nll_loss_backward", "target"): true
        default: false
        }
    }

    /// A list with one tensor per entry of the call's list shapes; now and then one more or
    /// one fewer, which parallel lists must reject.
    private mutating func tensorList(_ rng: inout FuzzRandom) throws -> ArgumentValue {
        var shapesInList = shapes.listShapes
        if rng.chance(0.04) {
            if shapesInList.isEmpty || rng.chance(0.5) { shapesInList.append(shapes.base) } else { shapesInList.removeLast() }
        }
        var list: [Tensor] = []
        for shape in shapesInList {
            let dtype = rng.chance(0.85) ? self.dtype : rng.pick(DType.allCases)
            let layout: FuzzLayout = rng.chance(0.7) ? .contiguous : rng.pick(FuzzLayout.allCases)
            list.append(try FuzzTensors.make(shape, dtype, layout, .values, &rng))
        }
        return .tensorList(list)
    }

    /// A `Scalar`: a small int, a float, a bool, or a limit value of either type. Ints that
    /// could become allocatable-but-huge sizes (1 << 32) are left out: see HostileValues.
    static func number(_ rng: inout FuzzRandom) -> ArgumentValue {
        switch rng.below(20) {
        case 0..<8: .int(rng.int(-3...5))
        case 8..<15: .double((rng.unit() * 6 - 3))
        case 15: .bool(rng.chance(0.5))
        case 16, 17: .int(rng.pick([0, -1, Int.max, Int.min, 1 << 62, -(1 << 62)]))
        default: .double(rng.pick(HostileValues.doubles))
        }
    }

    /// A `float` argument, in the range its name suggests or at a limit.
    static func float(_ name: String, _ rng: inout FuzzRandom) -> Double {
        if rng.chance(0.12) { return rng.pick(HostileValues.doubles) }
        switch name {
        case "p": return rng.pick([0, 0.2, 0.5, 1, -0.1, 1.5])
        case "eps": return rng.pick([1e-5, 1e-8, 1e-12, 0])
        case "label_smoothing": return rng.pick([0, 0.1, 1, -0.5, 2])
        default: return rng.pick([0, 0.1, 0.5, 0.9, 0.999, 1, 2, -1])
        }
    }

    /// A `str` argument: one of the values it accepts, or one it must reject.
    static func string(_ name: String, _ rng: inout FuzzRandom) -> String {
        let accepted: [String] = switch name {
        case "reduction": ["mean", "sum", "none"]
        case "rounding_mode": ["trunc", "floor"]
        case "approximate": ["none", "tanh"]
        default: []
        }
        return rng.chance(0.9) && !accepted.isEmpty ? rng.pick(accepted) : rng.pick(["", "bogus", "MEAN", "none\u{0}"])
    }

    /// A value of some other type than the argument's: binding must refuse it.
    private func wrongType(_ rng: inout FuzzRandom) -> ArgumentValue {
        rng.pick([.string("fuzz"), .ints([1, 2]), .double(.nan), .bool(true), .none, .dtype(.float32), .device(.cpu), .tensorList([])])
    }
}
