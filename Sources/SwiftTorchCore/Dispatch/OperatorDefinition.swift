/// The shape and dtype of an output that the dispatcher allocates before calling a kernel.
public struct TensorSpec: Sendable, Equatable {
    /// The output's sizes.
    public var shape: [Int]
    /// The output's element type.
    public var dtype: DType
    /// Where the output lives; nil means the call's device. Only transfers name another.
    public var device: Device?
    /// An output of `shape` and `dtype`, on `device` or the call's.
    public init(_ shape: [Int], _ dtype: DType, device: Device? = nil) {
        self.shape = shape
        self.dtype = dtype
        self.device = device
    }
}

/// The outputs a meta function describes. Nearly every operator has one, which is kept
/// inline so that a call allocates no list for it; an array literal still works for any
/// count.
public enum OutputSpecs: RandomAccessCollection, ExpressibleByArrayLiteral, Sendable {
    /// The one output of most operators.
    case one(TensorSpec)
    /// Any number of outputs.
    case many([TensorSpec])

    /// Outputs written `[spec]` or `[a, b]`.
    public init(arrayLiteral specs: TensorSpec...) { self = specs.count == 1 ? .one(specs[0]) : .many(specs) }

    /// 0.
    public var startIndex: Int { 0 }
    /// The number of outputs.
    public var endIndex: Int {
        switch self {
        case .one: 1
        case .many(let specs): specs.count
        }
    }
    /// The output at `position`.
    public subscript(position: Int) -> TensorSpec {
        switch self {
        case .one(let spec):
            precondition(position == 0, "internal: output spec index \(position) out of range")
            return spec
        case .many(let specs): return specs[position]
        }
    }
}

/// The outputs of one call. Most operators have one, which then costs no array (a heap
/// allocation on every call).
public enum KernelOutputs {
    /// The single output.
    case one(Tensor)
    /// Several outputs, in schema order.
    case many([Tensor])

    /// The first output.
    @inline(__always)
    public var first: Tensor {
        switch self {
        case .one(let t): t
        case .many(let ts): ts[0]
        }
    }

    /// Every output, in schema order.
    public var array: [Tensor] {
        switch self {
        case .one(let t): [t]
        case .many(let ts): ts
        }
    }
}

/// What a kernel receives: validated arguments and freshly allocated, contiguous outputs.
public struct KernelCall {
    /// The call's validated arguments, after the meta function's rewrites.
    public let arguments: Arguments
    /// The outputs to fill, contiguous, allocated by the dispatcher.
    public let outputList: KernelOutputs
    /// A call with these arguments and outputs.
    public init(arguments: Arguments, outputs: [Tensor]) {
        self.arguments = arguments
        self.outputList = .many(outputs)
    }
    /// A call with these arguments and outputs, one of them kept without an array.
    public init(arguments: Arguments, outputList: KernelOutputs) {
        self.arguments = arguments
        self.outputList = outputList
    }
    /// The outputs to fill, in schema order.
    public var outputs: [Tensor] { outputList.array }
    /// The first output.
    public var output: Tensor { outputList.first }
}

/// A backend's implementation of one operator. It fills `call.outputs`.
public typealias Kernel = @Sendable (KernelCall) throws -> Void

/// Checks a call and describes its outputs. It may rewrite tensor arguments (promote their
/// dtype, broadcast them to the output's shape), so that kernels see inputs of one dtype
/// and one shape and only compute. Every backend therefore reports bad input the same way.
public typealias MetaFunction = @Sendable (inout Arguments) throws -> OutputSpecs

/// An implementation in terms of other operators or of tensor geometry alone (views); it
/// serves every backend and device.
public typealias CompositeFunction = @Sendable (Arguments) throws -> [Tensor]

/// What a derivative formula sees: the call's arguments (tensors detached), its outputs,
/// and the gradients flowing into those outputs (zeros where an output was unused). Tensors
/// that the derivative does not declare as saved are present only as metadata stand-ins
/// (shape, strides, dtype, device) over no data: reading one through ``input(_:)`` or
/// ``output(_:)`` throws an internal error naming the operator and the argument.
public struct BackwardContext {
    /// Non-tensor arguments as given; tensor arguments saved (detached) or stand-ins.
    public let arguments: Arguments
    private let savedOutputs: [Tensor]
    /// The gradient flowing into each output (zeros where an output was unused).
    public let gradOutputs: [Tensor]
    /// Whether each tensor of `arguments.tensors` needs a gradient; formulas skip the others.
    public let needsGrad: [Bool]
    /// What the operator's derivative declared; the rest is metadata only.
    public let saved: SavedTensors

    /// A context over a call's arguments and outputs, keeping only what `saved` names readable.
    public init(arguments: Arguments, outputs: [Tensor], gradOutputs: [Tensor], needsGrad: [Bool],
                saved: SavedTensors = .everything) {
        self.arguments = arguments
        self.savedOutputs = outputs
        self.gradOutputs = gradOutputs
        self.needsGrad = needsGrad
        self.saved = saved
    }
    /// The gradient of the first output.
    public var grad: Tensor { gradOutputs[0] }

    /// The saved tensor argument `name` (detached); throws if the derivative does not save it.
    public func input(_ name: String) throws -> Tensor {
        guard saved.savesInput(name) else { throw unsaved("input '\(name)'") }
        return arguments.tensor(name)
    }
    /// The saved optional tensor argument `name`, nil when the call passed none.
    public func optionalInput(_ name: String) throws -> Tensor? {
        guard let t = arguments.optionalTensor(name) else { return nil }
        guard saved.savesInput(name) else { throw unsaved("input '\(name)'") }
        return t
    }
    /// Output `index` (detached); throws if the derivative does not save outputs.
    public func output(_ index: Int = 0) throws -> Tensor {
        guard saved.outputs else { throw unsaved("output \(index)") }
        return savedOutputs[index]
    }
    /// The shape of tensor argument `name`, saved or not.
    public func shape(_ name: String) -> [Int] { arguments.tensor(name).shape }
    /// The metadata (shape, strides, dtype, device) of tensor argument `name`, saved or not;
    /// its elements must not be read unless the argument is saved.
    public func metadata(_ name: String) -> Tensor { arguments.tensor(name) }
    /// The metadata of output `index`, saved or not.
    public func outputMetadata(_ index: Int = 0) -> Tensor { savedOutputs[index] }

    private func unsaved(_ what: String) -> TorchError {
        TorchError(.autograd, "internal: the derivative of \(arguments.schema.name) reads \(what), which its declaration does not save (saving: \(saved))")
    }
}

/// A gradient formula, written with registered operators: one gradient per tensor in
/// `arguments.tensors` order (`nil` where none flows). The `derivatives.yaml` of SwiftTorch.
public typealias DerivativeFunction = @Sendable (BackwardContext) throws -> [Tensor?]

/// Which tensors of a call a derivative formula reads. The autograd hop keeps only these
/// alive (and checks only their versions); shapes, dtypes and non-tensor arguments are
/// always available. `add` saves nothing, `mul` both inputs, `exp` its output.
public struct SavedTensors: Sendable, Equatable, CustomStringConvertible {
    /// Names of the saved tensor arguments; nil saves every one.
    public let inputs: Set<String>?
    /// Whether the outputs are saved.
    public let outputs: Bool

    /// A declaration of the saved inputs (nil: all of them) and whether outputs are saved.
    public init(inputs: Set<String>?, outputs: Bool) {
        self.inputs = inputs
        self.outputs = outputs
    }
    /// The safe default of an undeclared derivative: every input and output.
    public static let everything = SavedTensors(inputs: nil, outputs: true)
    /// Shapes and dtypes only (`add`, `sum`, views).
    public static let nothing = SavedTensors(inputs: [], outputs: false)
    /// The outputs only (`exp`, `relu`, `softmax`).
    public static let output = SavedTensors(inputs: [], outputs: true)
    /// The named inputs, and the outputs if `outputs`.
    public static func inputs(_ names: String..., outputs: Bool = false) -> SavedTensors {
        SavedTensors(inputs: Set(names), outputs: outputs)
    }

    /// Whether tensor argument `name` is saved.
    public func savesInput(_ name: String) -> Bool { inputs?.contains(name) ?? true }

    /// The saved names and outputs, for error messages.
    public var description: String {
        let names = inputs.map { $0.sorted().joined(separator: ", ") } ?? "every input"
        return "[\(names.isEmpty ? "no input" : names)\(outputs ? "; outputs" : "")]"
    }
}

/// An operator's derivative: the formula and the tensors it reads.
public struct Derivative: Sendable {
    /// The tensors the formula reads.
    public let saves: SavedTensors
    /// The gradient formula.
    public let formula: DerivativeFunction

    /// A formula that reads only what `saving` names (default: everything, the safe choice).
    public init(saving: SavedTensors = .everything, _ formula: @escaping DerivativeFunction) {
        self.saves = saving
        self.formula = formula
    }
}

/// Families used to group results in the coverage table and the conformance summary.
public enum OperatorGroup: String, Sendable, CaseIterable {
    /// The operator families, as `swifttorch ops` and the conformance summary group them.
    case creation, elementwise, reduction, softmax, linalg, shape, indexing, loss, nn, conversion
}

/// One operator, declared once: schema, output rules, gradient, and (for operators that
/// need no kernel of their own) a composite implementation.
public struct OperatorDefinition: Sendable {
    /// The signature, parsed from its PyTorch-style declaration.
    public let schema: OperatorSchema
    /// The family, for reports.
    public let group: OperatorGroup
    /// The checks and output shapes of an operator with kernels; nil for a composite.
    public let meta: MetaFunction?
    /// The implementation of an operator without kernels of its own; nil otherwise.
    public let composite: CompositeFunction?
    /// The gradient formula; nil for an operator that is not differentiable.
    public let derivative: Derivative?
    /// The name of the autograd nodes this operator records (`log_softmax` →
    /// `LogSoftmaxBackward0`, as PyTorch names them), spelled once at declaration.
    public let backwardName: String

    /// An operator that backends implement with kernels.
    public init(_ declaration: String, group: OperatorGroup, meta: @escaping MetaFunction,
                derivative: Derivative? = nil) {
        self.schema = OperatorSchema(declaration)
        self.group = group
        self.meta = meta
        self.composite = nil
        self.derivative = derivative
        self.backwardName = OperatorDefinition.backwardName(schema.name)
    }

    /// An operator implemented once, above the backends.
    public init(_ declaration: String, group: OperatorGroup, composite: @escaping CompositeFunction,
                derivative: Derivative? = nil) {
        self.schema = OperatorSchema(declaration)
        self.group = group
        self.meta = nil
        self.composite = composite
        self.derivative = derivative
        self.backwardName = OperatorDefinition.backwardName(schema.name)
    }

    /// The operator's name, as in PyTorch (`log_softmax`).
    public var name: String { schema.name }
    /// Whether the operator has a gradient formula.
    public var isDifferentiable: Bool { derivative != nil }

    /// `log_softmax` → `LogSoftmaxBackward0`.
    static func backwardName(_ op: String) -> String {
        op.split(separator: "_").map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined() + "Backward0"
    }
}
