import SwiftTorchCore

enum Creation {
    /// Checks the shape of a tensor `op` is about to create: non-negative sizes
    /// (`invalidArgument`), and element and byte counts an `Int` can hold (`outOfMemory`:
    /// no allocator could give such a tensor).
    static func requireSizes(_ op: String, _ size: [Int], _ dtype: DType) throws {
        _ = try ShapeArithmetic.byteCount(op, size, dtype)
    }

    /// The dtype PyTorch infers from a Swift number: Double → float32, Int → int64, Bool → bool.
    static func inferredDType(_ values: [ArgumentValue]) -> DType {
        if values.contains(where: { if case .double = $0 { return true }; return false }) { return .defaultFloat }
        if values.allSatisfy({ if case .bool = $0 { return true }; return false }) { return .bool }
        return .int64
    }

    static func number(_ v: ArgumentValue) -> Double {
        switch v {
        case .double(let d): d
        case .int(let i): Double(i)
        case .bool(let b): b ? 1 : 0
        default: 0
        }
    }

    /// Elements of `arange(start, end, step)`, checking the step's sign.
    static func arangeCount(_ start: Double, _ end: Double, _ step: Double) throws -> Int {
        guard step != 0, step.isFinite, start.isFinite, end.isFinite else {
            throw TorchError(.invalidArgument, "arange: step must be non-zero and bounds finite (start \(start), end \(end), step \(step))")
        }
        guard (step > 0 && end >= start) || (step < 0 && end <= start) else {
            throw TorchError(.invalidArgument, "arange: upper bound and lower bound inconsistent with step sign (start \(start), end \(end), step \(step))")
        }
        // (end - start) / step can be far beyond an Int (arange(0, 1e30)), or infinite when
        // the difference overflows a Double: the conversion is checked, never trapped.
        return try ShapeArithmetic.integer("arange", (end - start) / step, rounding: .up,
                                           "the number of elements (start \(start), end \(end), step \(step))")
    }
}

extension Op {
    /// A tensor of `size` filled with `fill_value`; zeros and ones are spelled with it.
    public static let full = declare(OperatorDefinition(
        "full(int[] size, Scalar fill_value, *, ScalarType? dtype=None, Device? device=None) -> Tensor", group: .creation,
        meta: { args in
            let size = args.ints("size")
            let dtype = args.optionalDType("dtype") ?? Creation.inferredDType([args["fill_value"]])
            try Creation.requireSizes("full", size, dtype)
            return [TensorSpec(size, dtype)]
        }))
    /// `start, start + step, ...` up to but excluding `end`.
    public static let arange = declare(OperatorDefinition(
        "arange(Scalar start, Scalar end, Scalar step=1, *, ScalarType? dtype=None, Device? device=None) -> Tensor", group: .creation,
        meta: { args in
            let n = try Creation.arangeCount(args.double("start"), args.double("end"), args.double("step"))
            let dtype = args.optionalDType("dtype") ?? Creation.inferredDType([args["start"], args["end"], args["step"]])
            return [TensorSpec([n], dtype == .bool ? .int64 : dtype)]
        }))
    /// `steps` evenly spaced values from `start` to `end`, both included.
    public static let linspace = declare(OperatorDefinition(
        "linspace(Scalar start, Scalar end, int steps, *, ScalarType? dtype=None, Device? device=None) -> Tensor", group: .creation,
        meta: { args in
            let steps = args.int("steps")
            guard steps >= 0 else { throw TorchError(.invalidArgument, "linspace: number of steps must be non-negative, got \(steps)") }
            return [TensorSpec([steps], args.optionalDType("dtype") ?? .defaultFloat)]
        }))
    /// An `n` x `m` matrix with ones on the diagonal.
    public static let eye = declare(OperatorDefinition(
        "eye(int n, int? m=None, *, ScalarType? dtype=None, Device? device=None) -> Tensor", group: .creation,
        meta: { args in
            let n = args.int("n"), m = args.optionalInt("m") ?? n
            let dtype = args.optionalDType("dtype") ?? .defaultFloat
            try Creation.requireSizes("eye", [n, m], dtype)
            return [TensorSpec([n, m], dtype)]
        }))

    static let creationFamily = [full, arange, linspace, eye]
}
