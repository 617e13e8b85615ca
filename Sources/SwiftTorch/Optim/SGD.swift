import SwiftTorchCore

/// Stochastic gradient descent with optional momentum, dampening, Nesterov momentum and
/// weight decay, in PyTorch's exact update order:
///
/// ```text
/// g = (maximize ? -grad : grad) + weightDecay * p
/// buf = g (first step)  or  momentum * buf + (1 - dampening) * g
/// g = nesterov ? g + momentum * buf : buf
/// p -= lr * g
/// ```
public final class SGD: Optimizer {
    /// SGD's hyperparameters.
    public struct Options: OptimizerOptions {
        /// Learning rate.
        public var lr: Double
        /// Momentum factor (0 turns momentum off).
        public var momentum: Double
        /// Dampening of the gradient's share in the momentum buffer.
        public var dampening: Double
        /// L2 penalty added to the gradient.
        public var weightDecay: Double
        /// Whether to use Nesterov momentum (needs momentum > 0 and no dampening).
        public var nesterov: Bool
        /// Whether to maximise the objective (step along the gradient instead of against it).
        public var maximize = false

        /// Throws when an option is out of PyTorch's range.
        public func validate(_ optimizer: String) throws {
            try requireOption(optimizer, "learning rate", lr, lr >= 0)
            try requireOption(optimizer, "momentum", momentum, momentum >= 0)
            try requireOption(optimizer, "weight_decay", weightDecay, weightDecay >= 0)
            if nesterov, momentum <= 0 || dampening != 0 {
                throw TorchError(.invalidArgument, "\(optimizer): Nesterov momentum requires a momentum and zero dampening (momentum \(momentum), dampening \(dampening))")
            }
        }

        /// SGD's number options by PyTorch's names.
        public static var numberOptions: [(name: String, path: WritableKeyPath<Options, Double>)] {
            [("lr", \.lr), ("momentum", \.momentum), ("dampening", \.dampening), ("weight_decay", \.weightDecay)]
        }

        /// SGD's true-or-false options by PyTorch's names.
        public static var flagOptions: [(name: String, path: WritableKeyPath<Options, Bool>)] {
            [("nesterov", \.nesterov), ("maximize", \.maximize)]
        }
    }

    /// The parameter groups with their options.
    public var paramGroups: [OptimizerGroup<Options>] = []
    private var momentumBuffers: [ObjectIdentifier: Tensor] = [:]

    /// SGD over parameter groups; options a group does not set come from the arguments.
    public init(_ groups: [ParamGroup], lr: Double = 1e-3, momentum: Double = 0, dampening: Double = 0,
                nesterov: Bool = false, weightDecay: Double = 0, maximize: Bool = false) throws {
        let defaults = Options(lr: lr, momentum: momentum, dampening: dampening, weightDecay: weightDecay, nesterov: nesterov,
                               maximize: maximize)
        try appendGroups(groups, defaults: defaults, name: "SGD")
    }

    /// SGD over one group of parameters.
    public convenience init(_ params: [Tensor], lr: Double = 1e-3, momentum: Double = 0, dampening: Double = 0,
                            nesterov: Bool = false, weightDecay: Double = 0, maximize: Bool = false) throws {
        try self.init([ParamGroup(params: params)], lr: lr, momentum: momentum, dampening: dampening,
                      nesterov: nesterov, weightDecay: weightDecay, maximize: maximize)
    }

    /// `momentum_buffer` once the parameter took a step with momentum.
    public func state(of parameter: Tensor) -> [String: Tensor] {
        momentumBuffers[ObjectIdentifier(parameter)].map { ["momentum_buffer": $0] } ?? [:]
    }

    /// Replaces every momentum buffer with those in `state`.
    public func loadState(_ state: [ObjectIdentifier: [String: Tensor]]) throws {
        var buffers: [ObjectIdentifier: Tensor] = [:]
        for p in paramGroups.flatMap(\.params) {
            guard let entries = state[ObjectIdentifier(p)] else { continue }
            let checked = try checkedParameterState(entries, for: p, optimizer: "SGD", required: [], optional: ["momentum_buffer"])
            buffers[ObjectIdentifier(p)] = checked.tensors["momentum_buffer"]
        }
        momentumBuffers = buffers
    }

    /// One SGD update of every parameter that has a gradient: one fused call per group
    /// (two when some parameters take their first momentum step and others do not).
    public func step() throws {
        try forEachGroupWithGradients { params, grads, o in
            try updatingDense(params) { dense in
                func update(_ indices: [Int], buffers: [Tensor], firstStep: Bool) throws {
                    _ = try dispatchAll(Op.fusedSGD_, [.tensorList(indices.map { dense[$0] }), .tensorList(indices.map { grads[$0] }), .tensorList(buffers)], [
                        ("weight_decay", .double(o.weightDecay)), ("momentum", .double(o.momentum)), ("lr", .double(o.lr)),
                        ("dampening", .double(o.dampening)), ("nesterov", .bool(o.nesterov)), ("maximize", .bool(o.maximize)),
                        ("is_first_step", .bool(firstStep)),
                    ])
                }
                if o.momentum == 0 { return try update(Array(params.indices), buffers: [], firstStep: false) }
                // A parameter's first momentum step sets its buffer to the gradient (PyTorch).
                let fresh = params.indices.filter { momentumBuffers[ObjectIdentifier(params[$0])] == nil }
                let seasoned = params.indices.filter { momentumBuffers[ObjectIdentifier(params[$0])] != nil }
                for (indices, first) in [(fresh, true), (seasoned, false)] where !indices.isEmpty {
                    let buffers = try indices.map { i in
                        let id = ObjectIdentifier(params[i])
                        if let buffer = momentumBuffers[id] { return buffer }
                        let buffer = try Tensor.zeros(like: dense[i])
                        momentumBuffers[id] = buffer
                        return buffer
                    }
                    try update(indices, buffers: buffers, firstStep: first)
                }
            }
        }
    }
}
