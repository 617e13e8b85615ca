import SwiftTorchCore

/// RMSprop, as PyTorch's `torch.optim.RMSprop`:
///
/// ```
/// g = grad + weightDecay * p
/// v = α v + (1 - α) g²
/// avg = sqrt(centered ? v - ḡ² : v) + eps      (ḡ = ḡ + (1 - α)(g - ḡ) when centered)
/// momentum > 0:  buf = momentum * buf + g / avg;  p -= lr * buf
/// otherwise:     p -= lr * g / avg
/// ```
public final class RMSprop: Optimizer {
    /// RMSprop's hyperparameters.
    public struct Options: OptimizerOptions {
        /// Learning rate.
        public var lr: Double
        /// Smoothing constant of the squared-gradient average.
        public var alpha: Double
        /// Added to the denominator for numerical stability.
        public var eps: Double
        /// L2 penalty added to the gradient.
        public var weightDecay: Double
        /// Momentum factor (0 turns momentum off).
        public var momentum: Double
        /// Whether to normalise by the variance estimate instead of the raw second moment.
        public var centered: Bool

        /// Throws when an option is out of PyTorch's range.
        public func validate(_ optimizer: String) throws {
            try requireOption(optimizer, "learning rate", lr, lr >= 0)
            try requireOption(optimizer, "epsilon", eps, eps >= 0)
            try requireOption(optimizer, "momentum", momentum, momentum >= 0)
            try requireOption(optimizer, "weight_decay", weightDecay, weightDecay >= 0)
            try requireOption(optimizer, "alpha", alpha, alpha >= 0)
        }
    }

    /// Per-parameter running state; tensors appear when the options first need them.
    private struct State {
        var squareAvg: Tensor
        var gradAvg: Tensor?
        var momentumBuffer: Tensor?
    }

    /// The parameter groups with their options.
    public var paramGroups: [OptimizerGroup<Options>] = []
    private var state: [ObjectIdentifier: State] = [:]

    /// RMSprop over parameter groups; options a group does not set come from the arguments.
    public init(_ groups: [ParamGroup], lr: Double = 1e-2, alpha: Double = 0.99, eps: Double = 1e-8,
                weightDecay: Double = 0, momentum: Double = 0, centered: Bool = false) throws {
        let defaults = Options(lr: lr, alpha: alpha, eps: eps, weightDecay: weightDecay, momentum: momentum, centered: centered)
        try appendGroups(groups, defaults: defaults, name: "RMSprop")
    }

    /// RMSprop over one group of parameters.
    public convenience init(_ params: [Tensor], lr: Double = 1e-2, alpha: Double = 0.99, eps: Double = 1e-8,
                            weightDecay: Double = 0, momentum: Double = 0, centered: Bool = false) throws {
        try self.init([ParamGroup(params: params)], lr: lr, alpha: alpha, eps: eps, weightDecay: weightDecay,
                      momentum: momentum, centered: centered)
    }

    /// One RMSprop update of every parameter that has a gradient.
    public func step() throws {
        try forEachParameterWithGradient { p, grad, o in
            let id = ObjectIdentifier(p)
            var s = try state[id] ?? State(squareAvg: Tensor.zeros(like: p))
            var g = grad
            if o.weightDecay != 0 { g = try g.add(p, alpha: o.weightDecay) }
            s.squareAvg = try (s.squareAvg * o.alpha).add(g * g, alpha: 1 - o.alpha)
            var avg: Tensor
            if o.centered {
                let previous = try s.gradAvg ?? Tensor.zeros(like: p)
                let gradAvg = try previous.add(g - previous, alpha: 1 - o.alpha)
                s.gradAvg = gradAvg
                avg = try (s.squareAvg - gradAvg * gradAvg).sqrt()
            } else {
                avg = try s.squareAvg.sqrt()
            }
            avg = try avg + o.eps
            if o.momentum > 0 {
                let previous = try s.momentumBuffer ?? Tensor.zeros(like: p)
                let buffer = try (previous * o.momentum) + (g / avg)
                s.momentumBuffer = buffer
                try p.add_(buffer, alpha: -o.lr)
            } else {
                try p.add_(g / avg, alpha: -o.lr)
            }
            state[id] = s
        }
    }
}
