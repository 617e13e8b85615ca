import SwiftTorchCore

/// One planned fuzz call: an operator, its arguments, and what to do with its result.
/// Everything in it follows from (seed, index), so ``replay`` reproduces it exactly.
public struct FuzzCall {
    /// The run's seed.
    public let seed: UInt64
    /// The call's number in the run.
    public let index: Int
    /// The backend the call runs on.
    public let backend: String
    let handle: OperatorHandle
    let positional: [ArgumentValue]
    let keywords: [(String, ArgumentValue)]
    /// Floating-point inputs require grad, and the first output is backpropagated.
    public let withGradient: Bool
    /// The first output is also copied into a caller-made destination of any layout, as an
    /// `out=` variant writes into memory the caller owns (the registry has no `out=`
    /// operators; `copy_` is the one that writes there).
    public let intoDestination: Bool
    /// The stream that draws the destination once the output's shape is known.
    var followUp: FuzzRandom

    /// The operator's registry name.
    public var op: String { handle.name }

    /// The command that runs exactly this call again.
    public var replay: String { "swifttorch fuzz --seed \(seed) --index \(index) --backend \(backend)" }

    /// The operator and its arguments, as `op(name: value, ...)`, with each tensor's dtype,
    /// shape and, for views, strides, offset and storage size.
    public var summary: String {
        let names = handle.schema.arguments.map(\.name)
        let parts = positional.enumerated().map { "\(names[$0.offset]): \(FuzzCall.summarize($0.element))" }
            + keywords.map { "\($0.0): \(FuzzCall.summarize($0.1))" }
        var modes: [String] = []
        if withGradient { modes.append("with gradient") }
        if intoDestination { modes.append("copied into a destination") }
        return "\(op)(\(parts.joined(separator: ", ")))" + (modes.isEmpty ? "" : " [\(modes.joined(separator: ", "))]")
    }

    static func summarize(_ value: ArgumentValue) -> String {
        switch value {
        case .tensor(let t): summarize(t)
        case .tensorList(let ts): "[" + ts.map(summarize).joined(separator: ", ") + "]"
        case .int(let v): "\(v)"
        case .ints(let v): SwiftTorchCore.describe(shape: v)
        case .double(let v): "\(v)"
        case .bool(let v): "\(v)"
        case .string(let v): "\"\(v)\""
        case .dtype(let v): "\(v)"
        case .device(let v): "\(v)"
        case .none: "None"
        }
    }

    /// `float32[2, 3]`, or `float32[2, 3] strides [1, 2] offset 1 of 7` for a view.
    static func summarize(_ t: Tensor) -> String {
        let head = "\(t.dtype)\(SwiftTorchCore.describe(shape: t.shape))"
        let elements = t.storage.byteCount / t.dtype.itemSize
        // A few elements are worth showing: they are what index and one-hot calls trip on.
        let count = t.shape.reduce(1, *)
        let values = t.device.isCPU && count <= 4 ? " = \(t.dtype.isFloatingPoint ? t.doubleValues().description : t.int64Values().description)" : ""
        if t.isWrappedNumber { return head + " number" + values }
        if t.offset == 0, t.strides == Tensor.contiguousStrides(for: t.shape), elements == count { return head + values }
        return head + " strides \(SwiftTorchCore.describe(shape: t.strides)) offset \(t.offset) of \(elements)" + values
    }
}

/// What one fuzz call did.
public enum FuzzOutcome: Equatable, Sendable {
    /// It returned outputs that hold up (shapes, views inside their storage, readable).
    case succeeded
    /// It threw a ``TorchError``: the contract for bad input.
    case threw(TorchError)
    /// It broke the contract without ending the process: a thrown error of another type,
    /// an "internal:" error (a kernel refusing what its meta rule accepted), or an output
    /// that is not a sound tensor.
    case failed(String)
}
