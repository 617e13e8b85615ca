import SwiftTorchCore

/// Shape and dtype rules shared by operator declarations: broadcasting, type promotion and
/// dimension wrapping, exactly as PyTorch applies them.
enum Meta {
    /// The broadcast shape of `shapes`, or an error naming the operator and both shapes.
    static func broadcastShape(_ op: String, _ shapes: [[Int]]) throws -> [Int] {
        let rank = shapes.map(\.count).max() ?? 0
        var result = [Int](repeating: 1, count: rank)
        for shape in shapes {
            for (i, size) in shape.enumerated() {
                let d = rank - shape.count + i
                if result[d] == size || size == 1 { continue }
                if result[d] == 1 { result[d] = size; continue }
                throw TorchError(.shapeMismatch, "\(op): shapes \(shapes.map { describe(shape: $0) }.joined(separator: " and ")) do not broadcast: size \(result[d]) and \(size) differ at dimension \(d) and neither is 1")
            }
        }
        // Valid shapes can broadcast to one with too many elements ([n, 1] with [1, n]).
        _ = try ShapeArithmetic.elementCount(op, result)
        return result
    }

    /// PyTorch's `result_type`: dimensioned tensors outrank 0-d tensors, which outrank
    /// wrapped Swift numbers, unless the lower rank holds a higher category (bool < int < float).
    static func resultType(_ tensors: [Tensor]) -> DType {
        var promotion = Promotion()
        for t in tensors { promotion.add(t) }
        return promotion.result
    }

    /// `result_type` accumulated operand by operand, so that a call promotes without
    /// building a list, and a Swift number takes part without becoming a tensor.
    struct Promotion {
        private var dimResult: DType?, zeroResult: DType?, wrappedResult: DType?

        @inline(__always)
        mutating func add(_ t: Tensor) {
            if t.isWrappedNumber {
                addNumber(t.dtype)
            } else if t.rank == 0 {
                zeroResult = Promotion.merge(zeroResult, t.dtype)
            } else {
                dimResult = Promotion.merge(dimResult, t.dtype)
            }
        }

        /// A tensor argument or a Swift number passed for one.
        @inline(__always)
        mutating func add(_ value: ArgumentValue) {
            switch value {
            case .tensor(let t): add(t)
            case .double: addNumber(.float64)
            case .int: addNumber(.int64)
            case .bool: addNumber(.bool)
            default: break
            }
        }

        /// A Swift number counts as the default float type, an int as int64, a bool as bool.
        @inline(__always)
        private mutating func addNumber(_ dtype: DType) {
            wrappedResult = Promotion.merge(wrappedResult, dtype.isFloatingPoint ? .defaultFloat : dtype)
        }

        var result: DType { Promotion.combine(dimResult, Promotion.combine(zeroResult, wrappedResult)) ?? .defaultFloat }

        private static func merge(_ a: DType?, _ b: DType) -> DType { a.map { DType.promote($0, b) } ?? b }

        private static func combine(_ higher: DType?, _ lower: DType?) -> DType? {
            guard let higher else { return lower }
            guard let lower else { return higher }
            if higher.isFloatingPoint { return higher }
            if higher == .bool || lower.isFloatingPoint { return DType.promote(higher, lower) }
            return higher
        }
    }

    /// Wraps a possibly negative `dim` into `0..<rank` (a 0-d tensor accepts -1 and 0).
    static func wrapDim(_ op: String, _ dim: Int, rank: Int, shape: [Int]) throws -> Int {
        let r = max(rank, 1)
        guard dim >= -r, dim < r else {
            throw TorchError(.dimOutOfRange, "\(op): dimension \(dim) out of range for a tensor of shape \(describe(shape: shape)) (expected a dim in [\(-r), \(r - 1)])")
        }
        return dim < 0 ? dim + r : dim
    }

    /// Wraps and de-duplicates a list of dims.
    static func wrapDims(_ op: String, _ dims: [Int], of t: Tensor) throws -> [Int] {
        var seen: [Int] = []
        for d in dims {
            let w = try wrapDim(op, d, rank: t.rank, shape: t.shape)
            if seen.contains(w) {
                throw TorchError(.invalidArgument, "\(op): dim \(w) appears more than once in \(dims) for shape \(describe(shape: t.shape))")
            }
            seen.append(w)
        }
        return seen
    }

    /// `t` converted to `dtype` (a dispatched copy) unless it already is. A wrapped number
    /// converts on the host: a scalar operand never costs a second dispatch.
    static func cast(_ t: Tensor, to dtype: DType) throws -> Tensor {
        if t.dtype == dtype { return t }
        if t.isWrappedNumber, t.rank == 0, t.device.isCPU { return Tensor.number(t.wrappedValue, as: dtype) }
        let converted = try dispatch(Op.toCopy, [.tensor(t)], [("dtype", .dtype(dtype))])
        return t.isWrappedNumber ? converted.alias(wrapped: true) : converted
    }

    /// A broadcast view of `t` with `shape` (stride 0 on the expanded dims): geometry only.
    static func broadcastView(_ t: Tensor, to shape: [Int]) -> Tensor {
        if t.shape == shape { return t }
        let lead = shape.count - t.rank
        var strides = [Int](repeating: 0, count: shape.count)
        for i in 0..<t.rank where t.shape[i] == shape[lead + i] && t.shape[i] != 1 {
            strides[lead + i] = t.strides[i]
        }
        return Tensor(uncheckedViewOf: t, shape: shape, strides: strides, offset: t.offset)
    }

    /// The usual elementwise preparation: promote the named tensor arguments to one compute
    /// dtype, broadcast them to one shape, and describe the output.
    ///
    /// - Parameters:
    ///   - compute: maps the promoted dtype to the dtype the kernel computes in (or throws).
    ///   - output: maps the compute dtype to the output dtype (comparisons give `bool`).
    static func elementwise(_ op: String, _ args: inout Arguments, _ names: [String],
                            compute: (DType) throws -> DType = { $0 },
                            output: (DType) -> DType = { $0 }) throws -> OutputSpecs {
        if names.count == 2 {
            return try elementwise(op, &args, args.index(of: names[0]), args.index(of: names[1]), compute: compute, output: output)
        }
        let slots = names.map { args.index(of: $0) }
        var promotion = Promotion()
        var shapes: [[Int]] = []
        for i in slots {
            promotion.add(args.values[i])
            if case .tensor(let t) = args.values[i] { shapes.append(t.shape) }
        }
        let shape = try broadcastShape(op, shapes)
        let dtype = try compute(promotion.result)
        for i in slots {
            if let converted = try prepared(args.values[i], dtype, shape, readOnly: !writes(args, i)) { args.values[i] = .tensor(converted) }
        }
        return .one(TensorSpec(shape, output(dtype)))
    }

    /// ``elementwise(_:_:_:compute:output:)`` for two operands whose names remember their
    /// slots: the binary operators' meta rule, called on every `a + b`.
    static func elementwise(_ op: String, _ args: inout Arguments, _ first: ArgumentName, _ second: ArgumentName,
                            compute: (DType) throws -> DType = { $0 },
                            output: (DType) -> DType = { $0 }) throws -> OutputSpecs {
        try elementwise(op, &args, args.index(of: first), args.index(of: second), compute: compute, output: output)
    }

    /// The two-operand case (`a + b`, `x * 0.9`), the hottest path of all: no lists, the
    /// output shape shares the inputs' when they agree, and the operands are looked at in
    /// place (lent, not copied) and replaced only when promotion or broadcasting changes them.
    private static func elementwise(_ op: String, _ args: inout Arguments, _ i: Int, _ j: Int,
                                    compute: (DType) throws -> DType, output: (DType) -> DType) throws -> OutputSpecs {
        let (shape, dtype, first, second) = try args.values.withUnsafeBufferPointer { values in
            let a = shapeIfTensor(values[i]), b = shapeIfTensor(values[j])
            let shape: [Int]
            if let a, let b {
                shape = a == b ? a : try broadcastShape(op, [a, b])
            } else {
                shape = a ?? b ?? []
            }
            var promotion = Promotion()
            promotion.add(values[i])
            promotion.add(values[j])
            let dtype = try compute(promotion.result)
            return (shape, dtype,
                    try prepared(values[i], dtype, shape, readOnly: !writes(args, i)),
                    try prepared(values[j], dtype, shape, readOnly: !writes(args, j)))
        }
        if let first { args.values[i] = .tensor(first) }
        if let second { args.values[j] = .tensor(second) }
        return .one(TensorSpec(shape, output(dtype)))
    }

    @inline(__always)
    private static func shapeIfTensor(_ value: ArgumentValue) -> [Int]? {
        if case .tensor(let t) = value { return t.shape }
        return nil
    }

    /// An operand converted to the compute dtype and broadcast to the output's shape, or nil
    /// when it already is both; a Swift number becomes one element of that dtype, seen
    /// through stride 0.
    @inline(__always)
    private static func prepared(_ value: ArgumentValue, _ dtype: DType, _ shape: [Int], readOnly: Bool) throws -> Tensor? {
        if case .tensor(let t) = value {
            if t.dtype == dtype, t.shape == shape { return nil }
            return broadcastView(try cast(t, to: dtype), to: shape)
        }
        return Tensor.number(value, as: dtype, broadcastTo: shape, readOnly: readOnly)
    }

    /// Whether slot `i` is the `self` an in-place operator writes.
    @inline(__always)
    private static func writes(_ args: Arguments, _ i: Int) -> Bool {
        args.schema.isInPlace && args.schema.selfSlot == i
    }

    /// Integer and bool inputs computed as the default float type (exp, sin, true division).
    static func floatCompute(_ d: DType) -> DType { d.isFloatingPoint ? d : .defaultFloat }

    /// Rejects bool for operators PyTorch does not define on it.
    static func numeric(_ op: String) -> (DType) throws -> DType {
        { d in
            if d == .bool {
                throw TorchError(.dtypeMismatch, "\(op): not defined for bool tensors; convert with .to(.int64) or .to(.float32) first")
            }
            return d
        }
    }
}

extension Tensor {
    func alias(wrapped: Bool) -> Tensor {
        Tensor(uncheckedStorage: storage, shape: shape, strides: strides, offset: offset, dtype: dtype, isWrappedNumber: wrapped)
    }
}
