import SwiftTorchCore

/// RMSprop, as PyTorch's `torch.optim.RMSprop`:
///
/// ```text
/// g = (maximize ? -grad : grad) + weightDecay * p
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
        /// Whether to maximise the objective (step along the gradient instead of against it).
        public var maximize = false

        /// Throws when an option is out of PyTorch's range.
        public func validate(_ optimizer: String) throws {
            try requireOption(optimizer, "learning rate", lr, lr >= 0)
            try requireOption(optimizer, "epsilon", eps, eps >= 0)
            try requireOption(optimizer, "momentum", momentum, momentum >= 0)
            try requireOption(optimizer, "weight_decay", weightDecay, weightDecay >= 0)
            try requireOption(optimizer, "alpha", alpha, alpha >= 0)
        }

        /// RMSprop's number options by PyTorch's names.
        public static var numberOptions: [(name: String, path: WritableKeyPath<Options, Double>)] {
            [("lr", \.lr), ("alpha", \.alpha), ("eps", \.eps), ("weight_decay", \.weightDecay), ("momentum", \.momentum)]
        }

        /// RMSprop's true-or-false options by PyTorch's names.
        public static var flagOptions: [(name: String, path: WritableKeyPath<Options, Bool>)] {
            [("centered", \.centered), ("maximize", \.maximize)]
        }
    }

    /// Per-parameter running state; tensors appear when the options first need them.
    private struct State {
        /// Updates taken (PyTorch counts them although the update does not use them).
        var step = 0
        let squareAvg: Tensor
        var gradAvg: Tensor?
        var momentumBuffer: Tensor?
    }

    /// The parameter groups with their options.
    public var paramGroups: [OptimizerGroup<Options>] = []
    private var state: [ObjectIdentifier: State] = [:]

    /// RMSprop over parameter groups; options a group does not set come from the arguments.
    public init(_ groups: [ParamGroup], lr: Double = 1e-2, alpha: Double = 0.99, eps: Double = 1e-8,
                weightDecay: Double = 0, momentum: Double = 0, centered: Bool = false, maximize: Bool = false) throws {
        let defaults = Options(lr: lr, alpha: alpha, eps: eps, weightDecay: weightDecay, momentum: momentum, centered: centered,
                               maximize: maximize)
        try appendGroups(groups, defaults: defaults, name: "RMSprop")
    }

    /// RMSprop over one group of parameters.
    public convenience init(_ params: [Tensor], lr: Double = 1e-2, alpha: Double = 0.99, eps: Double = 1e-8,
                            weightDecay: Double = 0, momentum: Double = 0, centered: Bool = false,
                            maximize: Bool = false) throws {
        try self.init([ParamGroup(params: params)], lr: lr, alpha: alpha, eps: eps, weightDecay: weightDecay,
                      momentum: momentum, centered: centered, maximize: maximize)
    }

    /// `step`, `square_avg` and, when the options use them, `grad_avg` (centered) and
    /// `momentum_buffer`, once the parameter took a step.
    public func state(of parameter: Tensor) throws -> [String: Tensor] {
        guard let s = state[ObjectIdentifier(parameter)] else { return [:] }
        var entries = ["step": try stepTensor(s.step), "square_avg": s.squareAvg]
        if let gradAvg = s.gradAvg { entries["grad_avg"] = gradAvg }
        if let buffer = s.momentumBuffer { entries["momentum_buffer"] = buffer }
        return entries
    }

    /// Replaces every parameter's averages, buffers and step count with those in `state`.
    public func loadState(_ state: [ObjectIdentifier: [String: Tensor]]) throws {
        var loaded: [ObjectIdentifier: State] = [:]
        for p in paramGroups.flatMap(\.params) {
            guard let entries = state[ObjectIdentifier(p)], !entries.isEmpty else { continue }
            let checked = try checkedParameterState(entries, for: p, optimizer: "RMSprop", required: ["step", "square_avg"],
                                                    optional: ["grad_avg", "momentum_buffer"])
            loaded[ObjectIdentifier(p)] = State(step: checked.step!, squareAvg: checked.tensors["square_avg"]!,
                                                gradAvg: checked.tensors["grad_avg"], momentumBuffer: checked.tensors["momentum_buffer"])
        }
        self.state = loaded
    }

    /// One RMSprop update of every parameter that has a gradient: one fused call per group.
    public func step() throws {
        try forEachGroupWithGradients { params, grads, o in
            try updatingDense(params) { dense in
                var squareAvgs: [Tensor] = [], gradAvgs: [Tensor] = [], buffers: [Tensor] = []
                for (p, d) in zip(params, dense) {
                    let id = ObjectIdentifier(p)
                    var s = try state[id] ?? State(squareAvg: Tensor.zeros(like: d))
                    s.step += 1
                    // State the options need appears, as zeros, when they first need it.
                    if o.centered, s.gradAvg == nil { s.gradAvg = try Tensor.zeros(like: d) }
                    if o.momentum > 0, s.momentumBuffer == nil { s.momentumBuffer = try Tensor.zeros(like: d) }
                    state[id] = s
                    squareAvgs.append(s.squareAvg)
                    if o.centered { gradAvgs.append(s.gradAvg!) }
                    if o.momentum > 0 { buffers.append(s.momentumBuffer!) }
                }
                _ = try dispatchAll(Op.fusedRMSprop_, [
                    .tensorList(dense), .tensorList(grads), .tensorList(squareAvgs), .tensorList(gradAvgs), .tensorList(buffers),
                ], [
                    ("lr", .double(o.lr)), ("alpha", .double(o.alpha)), ("eps", .double(o.eps)),
                    ("weight_decay", .double(o.weightDecay)), ("momentum", .double(o.momentum)),
                    ("centered", .bool(o.centered)), ("maximize", .bool(o.maximize)),
                ])
            }
        }
    }
}
