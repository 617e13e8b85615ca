import Foundation
import SwiftTorchCore

/// Adam, as PyTorch's `torch.optim.Adam` (and, with `decoupledWeightDecay`, `AdamW`):
///
/// ```
/// g = grad + weightDecay * p            (L2; AdamW instead does p *= 1 - lr * weightDecay)
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

        /// Throws when an option is out of PyTorch's range.
        public func validate(_ optimizer: String) throws {
            try requireOption(optimizer, "learning rate", lr, lr >= 0)
            try requireOption(optimizer, "epsilon", eps, eps >= 0)
            try requireOption(optimizer, "beta parameter at index 0", betas.0, betas.0 >= 0 && betas.0 < 1)
            try requireOption(optimizer, "beta parameter at index 1", betas.1, betas.1 >= 0 && betas.1 < 1)
            try requireOption(optimizer, "weight_decay", weightDecay, weightDecay >= 0)
        }
    }

    /// Per-parameter running state.
    private struct State {
        var step = 0
        var expAvg: Tensor
        var expAvgSq: Tensor
        var maxExpAvgSq: Tensor?
    }

    /// The parameter groups with their options.
    public var paramGroups: [OptimizerGroup<Options>] = []
    /// Whether weight decay shrinks the parameters directly (AdamW) instead of adding to the gradient.
    public let decoupledWeightDecay: Bool
    private var state: [ObjectIdentifier: State] = [:]

    /// Adam over parameter groups; options a group does not set come from the arguments.
    public init(_ groups: [ParamGroup], lr: Double = 1e-3, betas: (Double, Double) = (0.9, 0.999), eps: Double = 1e-8,
                weightDecay: Double = 0, amsgrad: Bool = false, decoupledWeightDecay: Bool = false) throws {
        self.decoupledWeightDecay = decoupledWeightDecay
        let defaults = Options(lr: lr, betas: betas, eps: eps, weightDecay: weightDecay, amsgrad: amsgrad)
        try appendGroups(groups, defaults: defaults, name: decoupledWeightDecay ? "AdamW" : "Adam")
    }

    /// Adam over one group of parameters.
    public convenience init(_ params: [Tensor], lr: Double = 1e-3, betas: (Double, Double) = (0.9, 0.999), eps: Double = 1e-8,
                            weightDecay: Double = 0, amsgrad: Bool = false) throws {
        try self.init([ParamGroup(params: params)], lr: lr, betas: betas, eps: eps, weightDecay: weightDecay, amsgrad: amsgrad)
    }

    /// One Adam update of every parameter that has a gradient.
    public func step() throws {
        try forEachParameterWithGradient { p, grad, o in
            let id = ObjectIdentifier(p)
            var s = try state[id] ?? State(expAvg: Tensor.zeros(like: p), expAvgSq: Tensor.zeros(like: p),
                                           maxExpAvgSq: o.amsgrad ? Tensor.zeros(like: p) : nil)
            s.step += 1
            var g = grad
            if o.weightDecay != 0 {
                if decoupledWeightDecay {
                    try p.mul_(1 - o.lr * o.weightDecay)
                } else {
                    g = try g.add(p, alpha: o.weightDecay)
                }
            }
            let (beta1, beta2) = o.betas
            // exp_avg.lerp_(grad, 1 - beta1) and exp_avg_sq.mul_(beta2).addcmul_(grad, grad, 1 - beta2).
            s.expAvg = try s.expAvg.add(g - s.expAvg, alpha: 1 - beta1)
            s.expAvgSq = try (s.expAvgSq * beta2).add(g * g, alpha: 1 - beta2)
            let biasCorrection1 = 1 - pow(beta1, Double(s.step))
            let biasCorrection2Sqrt = (1 - pow(beta2, Double(s.step))).squareRoot()
            var secondMoment = s.expAvgSq
            if o.amsgrad {
                // A group may switch amsgrad on after the first step; start its maximum from v.
                let running = try s.maxExpAvgSq.map { try maximum($0, s.expAvgSq) } ?? s.expAvgSq
                s.maxExpAvgSq = running
                secondMoment = running
            }
            let denom = try secondMoment.sqrt() / biasCorrection2Sqrt + o.eps
            try p.add_(s.expAvg / denom, alpha: -o.lr / biasCorrection1)
            state[id] = s
        }
    }
}

/// Adam with decoupled weight decay (`p *= 1 - lr * weightDecay` before the Adam update),
/// as PyTorch's `torch.optim.AdamW`; weight decay defaults to 0.01.
public final class AdamW: Adam {
    /// AdamW over parameter groups; options a group does not set come from the arguments.
    public init(_ groups: [ParamGroup], lr: Double = 1e-3, betas: (Double, Double) = (0.9, 0.999), eps: Double = 1e-8,
                weightDecay: Double = 1e-2, amsgrad: Bool = false) throws {
        try super.init(groups, lr: lr, betas: betas, eps: eps, weightDecay: weightDecay, amsgrad: amsgrad,
                       decoupledWeightDecay: true)
    }

    /// AdamW over one group of parameters.
    public convenience init(_ params: [Tensor], lr: Double = 1e-3, betas: (Double, Double) = (0.9, 0.999), eps: Double = 1e-8,
                            weightDecay: Double = 1e-2, amsgrad: Bool = false) throws {
        try self.init([ParamGroup(params: params)], lr: lr, betas: betas, eps: eps, weightDecay: weightDecay, amsgrad: amsgrad)
    }
}
