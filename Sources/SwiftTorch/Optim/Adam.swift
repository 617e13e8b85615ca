import SwiftTorchCore

/// Adam, as PyTorch's `torch.optim.Adam` (and, with `decoupledWeightDecay`, `AdamW`):
///
/// ```text
/// g = (maximize ? -grad : grad) + weightDecay * p   (L2; AdamW instead does p *= 1 - lr * weightDecay)
/// m = m + (1 - β1) (g - m);  v = β2 v + (1 - β2) g²;  v̂ = amsgrad ? max(v̂, v) : v
/// p -= lr / (1 - β1ᵗ) * m / (sqrt(v̂) / sqrt(1 - β2ᵗ) + eps)
/// ```
public class Adam: Optimizer {
    /// Adam's hyperparameters.
    public struct Options: OptimizerOptions {
        /// Learning rate.
        public var lr: Double
        /// Decay rates of the first and second moment estimates.
        public var betas: (Double, Double)
        /// Added to the denominator for numerical stability.
        public var eps: Double
        /// Weight decay: an L2 term in the gradient, or decoupled (AdamW).
        public var weightDecay: Double
        /// Whether to use the running maximum of the second moment (AMSGrad).
        public var amsgrad: Bool
        /// Whether to maximise the objective (step along the gradient instead of against it).
        public var maximize = false

        /// Throws when an option is out of PyTorch's range.
        public func validate(_ optimizer: String) throws {
            try requireOption(optimizer, "learning rate", lr, lr >= 0)
            try requireOption(optimizer, "epsilon", eps, eps >= 0)
            try requireOption(optimizer, "beta parameter at index 0", betas.0, betas.0 >= 0 && betas.0 < 1)
            try requireOption(optimizer, "beta parameter at index 1", betas.1, betas.1 >= 0 && betas.1 < 1)
            try requireOption(optimizer, "weight_decay", weightDecay, weightDecay >= 0)
        }

        /// Adam's number options by PyTorch's names (`betas` is handled on its own).
        public static var numberOptions: [(name: String, path: WritableKeyPath<Options, Double>)] {
            [("lr", \.lr), ("eps", \.eps), ("weight_decay", \.weightDecay)]
        }

        /// Adam's true-or-false options by PyTorch's names.
        public static var flagOptions: [(name: String, path: WritableKeyPath<Options, Bool>)] {
            [("amsgrad", \.amsgrad), ("maximize", \.maximize)]
        }

        /// The options by PyTorch's names, `betas` as a two-number list.
        public var stateValues: [String: StateValue] {
            tableValues.merging(["betas": .numbers([betas.0, betas.1])]) { $1 }
        }

        /// Sets the options `values` holds, `betas` included.
        public mutating func load(_ values: [String: StateValue], optimizer: String) throws {
            try loadTable(values, optimizer: optimizer)
            if values["betas"] != nil {
                let b = try values.numbers("betas", optimizer)
                guard b.count == 2 else {
                    throw TorchError(.invalidArgument, "\(optimizer): 'betas' must hold two numbers, got \(b.count)")
                }
                betas = (b[0], b[1])
            }
        }
    }

    /// Per-parameter running state; the fused step updates the tensors in place.
    private struct State {
        var step = 0
        let expAvg: Tensor
        let expAvgSq: Tensor
        var maxExpAvgSq: Tensor?
    }

    /// The parameter groups with their options.
    public var paramGroups: [OptimizerGroup<Options>] = []
    /// Whether weight decay shrinks the parameters directly (AdamW) instead of adding to the gradient.
    public let decoupledWeightDecay: Bool
    private var state: [ObjectIdentifier: State] = [:]

    /// Adam over parameter groups; options a group does not set come from the arguments.
    public init(_ groups: [ParamGroup], lr: Double = 1e-3, betas: (Double, Double) = (0.9, 0.999), eps: Double = 1e-8,
                weightDecay: Double = 0, amsgrad: Bool = false, maximize: Bool = false,
                decoupledWeightDecay: Bool = false) throws {
        self.decoupledWeightDecay = decoupledWeightDecay
        let defaults = Options(lr: lr, betas: betas, eps: eps, weightDecay: weightDecay, amsgrad: amsgrad, maximize: maximize)
        try appendGroups(groups, defaults: defaults, name: decoupledWeightDecay ? "AdamW" : "Adam")
    }

    /// Adam over one group of parameters.
    public convenience init(_ params: [Tensor], lr: Double = 1e-3, betas: (Double, Double) = (0.9, 0.999), eps: Double = 1e-8,
                            weightDecay: Double = 0, amsgrad: Bool = false, maximize: Bool = false) throws {
        try self.init([ParamGroup(params: params)], lr: lr, betas: betas, eps: eps, weightDecay: weightDecay, amsgrad: amsgrad,
                      maximize: maximize)
    }

    /// `step`, `exp_avg`, `exp_avg_sq` and, with AMSGrad, `max_exp_avg_sq`, once the
    /// parameter took a step.
    public func state(of parameter: Tensor) throws -> [String: Tensor] {
        guard let s = state[ObjectIdentifier(parameter)] else { return [:] }
        var entries = ["step": try stepTensor(s.step), "exp_avg": s.expAvg, "exp_avg_sq": s.expAvgSq]
        if let maxExpAvgSq = s.maxExpAvgSq { entries["max_exp_avg_sq"] = maxExpAvgSq }
        return entries
    }

    /// Replaces every parameter's moments and step count with those in `state`.
    public func loadState(_ state: [ObjectIdentifier: [String: Tensor]]) throws {
        var loaded: [ObjectIdentifier: State] = [:]
        for p in paramGroups.flatMap(\.params) {
            guard let entries = state[ObjectIdentifier(p)], !entries.isEmpty else { continue }
            let checked = try checkedParameterState(entries, for: p, optimizer: optimizerName,
                                                    required: ["step", "exp_avg", "exp_avg_sq"], optional: ["max_exp_avg_sq"])
            loaded[ObjectIdentifier(p)] = State(step: checked.step!, expAvg: checked.tensors["exp_avg"]!,
                                                expAvgSq: checked.tensors["exp_avg_sq"]!, maxExpAvgSq: checked.tensors["max_exp_avg_sq"])
        }
        self.state = loaded
    }

    /// One Adam update of every parameter that has a gradient: one fused call per group,
    /// each parameter corrected for its own step count.
    public func step() throws {
        try forEachGroupWithGradients { params, grads, o in
            try updatingDense(params) { dense in
                var steps: [Int] = [], expAvgs: [Tensor] = [], expAvgSqs: [Tensor] = [], maxExpAvgSqs: [Tensor] = []
                for (p, d) in zip(params, dense) {
                    let id = ObjectIdentifier(p)
                    var s = try state[id] ?? State(expAvg: Tensor.zeros(like: d), expAvgSq: Tensor.zeros(like: d))
                    s.step += 1
                    // A group may switch amsgrad on after the first step: the maximum then
                    // starts from zeros, so its first value is v itself.
                    if o.amsgrad, s.maxExpAvgSq == nil { s.maxExpAvgSq = try Tensor.zeros(like: d) }
                    state[id] = s
                    steps.append(s.step)
                    expAvgs.append(s.expAvg)
                    expAvgSqs.append(s.expAvgSq)
                    if o.amsgrad { maxExpAvgSqs.append(s.maxExpAvgSq!) }
                }
                _ = try dispatchAll(decoupledWeightDecay ? Op.fusedAdamW_ : Op.fusedAdam_, [
                    .tensorList(dense), .tensorList(grads), .tensorList(expAvgs), .tensorList(expAvgSqs),
                    .tensorList(maxExpAvgSqs), .ints(steps),
                ], [
                    ("lr", .double(o.lr)), ("beta1", .double(o.betas.0)), ("beta2", .double(o.betas.1)),
                    ("weight_decay", .double(o.weightDecay)), ("eps", .double(o.eps)), ("amsgrad", .bool(o.amsgrad)),
                    ("maximize", .bool(o.maximize)),
                ])
            }
        }
    }
}

/// Adam with decoupled weight decay (`p *= 1 - lr * weightDecay` before the Adam update),
/// as PyTorch's `torch.optim.AdamW`; weight decay defaults to 0.01.
public final class AdamW: Adam {
    /// AdamW over parameter groups; options a group does not set come from the arguments.
    public init(_ groups: [ParamGroup], lr: Double = 1e-3, betas: (Double, Double) = (0.9, 0.999), eps: Double = 1e-8,
                weightDecay: Double = 1e-2, amsgrad: Bool = false, maximize: Bool = false) throws {
        try super.init(groups, lr: lr, betas: betas, eps: eps, weightDecay: weightDecay, amsgrad: amsgrad,
                       maximize: maximize, decoupledWeightDecay: true)
    }

    /// AdamW over one group of parameters.
    public convenience init(_ params: [Tensor], lr: Double = 1e-3, betas: (Double, Double) = (0.9, 0.999), eps: Double = 1e-8,
                            weightDecay: Double = 1e-2, amsgrad: Bool = false, maximize: Bool = false) throws {
        try self.init([ParamGroup(params: params)], lr: lr, betas: betas, eps: eps, weightDecay: weightDecay, amsgrad: amsgrad,
                      maximize: maximize)
    }
}
