/// The shape and dtype of an output that the dispatcher allocates before calling a kernel.
public struct TensorSpec: Sendable, Equatable {
    public var shape: [Int]
    public var dtype: DType
    /// Where the output lives; nil means the call's device. Only transfers name another.
    public var device: Device?
    public init(_ shape: [Int], _ dtype: DType, device: Device? = nil) {
        self.shape = shape
        self.dtype = dtype
        self.device = device
    }
}

/// What a kernel receives: validated arguments and freshly allocated, contiguous outputs.
public struct KernelCall {
    public let arguments: Arguments
    public let outputs: [Tensor]
    public init(arguments: Arguments, outputs: [Tensor]) {
        self.arguments = arguments
        self.outputs = outputs
    }
    public var output: Tensor { outputs[0] }
}

/// A backend's implementation of one operator. It fills `call.outputs`.
public typealias Kernel = @Sendable (KernelCall) throws -> Void

/// Checks a call and describes its outputs. It may rewrite tensor arguments (promote their
/// dtype, broadcast them to the output's shape), so that kernels see inputs of one dtype
/// and one shape and only compute. Every backend therefore reports bad input the same way.
public typealias MetaFunction = @Sendable (inout Arguments) throws -> [TensorSpec]

/// An implementation in terms of other operators or of tensor geometry alone (views); it
/// serves every backend and device.
public typealias CompositeFunction = @Sendable (Arguments) throws -> [Tensor]

/// What a derivative formula sees: the call's arguments (tensors detached), its outputs,
/// and the gradients flowing into those outputs (zeros where an output was unused).
public struct BackwardContext {
    public let arguments: Arguments
    public let outputs: [Tensor]
    public let gradOutputs: [Tensor]
    /// Whether each tensor of `arguments.tensors` needs a gradient; formulas skip the others.
    public let needsGrad: [Bool]
    public init(arguments: Arguments, outputs: [Tensor], gradOutputs: [Tensor], needsGrad: [Bool]) {
        self.arguments = arguments
        self.outputs = outputs
        self.gradOutputs = gradOutputs
        self.needsGrad = needsGrad
    }
    /// The gradient of the first output.
    public var grad: Tensor { gradOutputs[0] }
}

/// A gradient formula, written with registered operators: one gradient per tensor in
/// `arguments.tensors` order (`nil` where none flows). The `derivatives.yaml` of SwiftTorch.
public typealias DerivativeFunction = @Sendable (BackwardContext) throws -> [Tensor?]

/// Families used to group results in the coverage table and the conformance summary.
public enum OperatorGroup: String, Sendable, CaseIterable {
    case creation, elementwise, reduction, softmax, linalg, shape, indexing, loss, nn, conversion
}

/// One operator, declared once: schema, output rules, gradient, and (for operators that
/// need no kernel of their own) a composite implementation.
public struct OperatorDefinition: Sendable {
    public let schema: OperatorSchema
    public let group: OperatorGroup
    public let meta: MetaFunction?
    public let composite: CompositeFunction?
    public let derivative: DerivativeFunction?

    /// An operator that backends implement with kernels.
    public init(_ declaration: String, group: OperatorGroup, meta: @escaping MetaFunction,
                derivative: DerivativeFunction? = nil) {
        self.schema = OperatorSchema(declaration)
        self.group = group
        self.meta = meta
        self.composite = nil
        self.derivative = derivative
    }

    /// An operator implemented once, above the backends.
    public init(_ declaration: String, group: OperatorGroup, composite: @escaping CompositeFunction,
                derivative: DerivativeFunction? = nil) {
        self.schema = OperatorSchema(declaration)
        self.group = group
        self.meta = nil
        self.composite = composite
        self.derivative = derivative
    }

    public var name: String { schema.name }
    public var isDifferentiable: Bool { derivative != nil }
}
