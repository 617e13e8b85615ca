import SwiftTorchCore

/// Stochastic gradient descent with optional momentum, dampening, Nesterov momentum and
/// weight decay, in PyTorch's exact update order:
///
/// ```
/// g = grad + weightDecay * p
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

        /// Throws when an option is out of PyTorch's range.
        public func validate(_ optimizer: String) throws {
            try requireOption(optimizer, "learning rate", lr, lr >= 0)
            try requireOption(optimizer, "momentum", momentum, momentum >= 0)
            try requireOption(optimizer, "weight_decay", weightDecay, weightDecay >= 0)
            if nesterov, momentum <= 0 || dampening != 0 {
                throw TorchError(.invalidArgument, "\(optimizer): Nesterov momentum requires a momentum and zero dampening (momentum \(momentum), dampening \(dampening))")
            }
        }
    }

    /// The parameter groups with their options.
    public var paramGroups: [OptimizerGroup<Options>] = []
    private var momentumBuffers: [ObjectIdentifier: Tensor] = [:]

    /// SGD over parameter groups; options a group does not set come from the arguments.
    public init(_ groups: [ParamGroup], lr: Double = 1e-3, momentum: Double = 0, dampening: Double = 0,
                nesterov: Bool = false, weightDecay: Double = 0) throws {
        let defaults = Options(lr: lr, momentum: momentum, dampening: dampening, weightDecay: weightDecay, nesterov: nesterov)
        try appendGroups(groups, defaults: defaults, name: "SGD")
    }

    /// SGD over one group of parameters.
    public convenience init(_ params: [Tensor], lr: Double = 1e-3, momentum: Double = 0, dampening: Double = 0,
                            nesterov: Bool = false, weightDecay: Double = 0) throws {
        try self.init([ParamGroup(params: params)], lr: lr, momentum: momentum, dampening: dampening,
                      nesterov: nesterov, weightDecay: weightDecay)
    }

    /// One SGD update of every parameter that has a gradient.
    public func step() throws {
        try forEachParameterWithGradient { p, grad, o in
            var d = grad
            if o.weightDecay != 0 { d = try d.add(p, alpha: o.weightDecay) }
            if o.momentum != 0 {
                let id = ObjectIdentifier(p)
                // The first buffer is a copy of the gradient itself, undamped (PyTorch).
                let buffer = try momentumBuffers[id].map { try ($0 * o.momentum).add(d, alpha: 1 - o.dampening) } ?? d.clone()
                momentumBuffers[id] = buffer
                d = o.nesterov ? try d.add(buffer, alpha: o.momentum) : buffer
            }
            try p.add_(d, alpha: -o.lr)
        }
    }
}
