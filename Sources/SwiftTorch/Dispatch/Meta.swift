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
        return result
    }

    /// PyTorch's `result_type`: dimensioned tensors outrank 0-d tensors, which outrank
    /// wrapped Swift numbers, unless the lower rank holds a higher category (bool < int < float).
    static func resultType(_ tensors: [Tensor]) -> DType {
        var dimResult: DType?, zeroResult: DType?, wrappedResult: DType?
        func merge(_ a: DType?, _ b: DType) -> DType { a.map { DType.promote($0, b) } ?? b }
        for t in tensors {
            if t.isWrappedNumber {
                let d: DType = t.dtype.isFloatingPoint ? .defaultFloat : t.dtype
                wrappedResult = merge(wrappedResult, d)
            } else if t.rank == 0 {
                zeroResult = merge(zeroResult, t.dtype)
            } else {
                dimResult = merge(dimResult, t.dtype)
            }
        }
        return combine(dimResult, combine(zeroResult, wrappedResult)) ?? .defaultFloat
    }

    private static func combine(_ higher: DType?, _ lower: DType?) -> DType? {
        guard let higher else { return lower }
        guard let lower else { return higher }
        if higher.isFloatingPoint { return higher }
        if higher == .bool || lower.isFloatingPoint { return DType.promote(higher, lower) }
        return higher
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

    /// `t` converted to `dtype` (a dispatched copy) unless it already is.
    static func cast(_ t: Tensor, to dtype: DType) throws -> Tensor {
        if t.dtype == dtype { return t }
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
        return Tensor(viewOf: t, shape: shape, strides: strides, offset: t.offset)
    }

    /// The usual elementwise preparation: promote the named tensor arguments to one compute
    /// dtype, broadcast them to one shape, and describe the output.
    ///
    /// - Parameters:
    ///   - compute: maps the promoted dtype to the dtype the kernel computes in (or throws).
    ///   - output: maps the compute dtype to the output dtype (comparisons give `bool`).
    static func elementwise(_ op: String, _ args: inout Arguments, _ names: [String],
                            compute: (DType) throws -> DType = { $0 },
                            output: (DType) -> DType = { $0 }) throws -> [TensorSpec] {
        let tensors = names.map { args.tensor($0) }
        let shape = try broadcastShape(op, tensors.map(\.shape))
        let dtype = try compute(resultType(tensors))
        for (name, t) in zip(names, tensors) {
            args[name] = .tensor(broadcastView(try cast(t, to: dtype), to: shape))
        }
        return [TensorSpec(shape, output(dtype))]
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
        Tensor(storage: storage, shape: shape, strides: strides, offset: offset, dtype: dtype, isWrappedNumber: wrapped)
    }
}
