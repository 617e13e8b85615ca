import SwiftTorchCore

#if canImport(Glibc)
import Glibc
#endif

// Gradient formulas of the elementwise operators, in the manner of PyTorch's
// derivatives.yaml: one expression per input, written with registered operators.
// Broadcast inputs get their gradient summed back to their own shape.

enum ElementwiseGrad {
    static let add: Derivative = .init(saving: .nothing) { ctx in
        let a = ctx.metadata("self"), b = ctx.metadata("other"), alpha = ctx.scalar("alpha")
        return ctx.gradients([
            "self": try ctx.ifNeeded("self") { try ctx.grad.sumTo(a.shape) },
            "other": try ctx.ifNeeded("other") { try (alpha == 1 ? ctx.grad : ctx.grad * alpha).sumTo(b.shape) },
        ])
    }
    static let sub: Derivative = .init(saving: .nothing) { ctx in
        let a = ctx.metadata("self"), b = ctx.metadata("other"), alpha = ctx.scalar("alpha")
        return ctx.gradients([
            "self": try ctx.ifNeeded("self") { try ctx.grad.sumTo(a.shape) },
            "other": try ctx.ifNeeded("other") { try (ctx.grad * -alpha).sumTo(b.shape) },
        ])
    }
    static let mul: Derivative = .init(saving: .inputs("self", "other")) { ctx in
        let a = try ctx.input("self"), b = try ctx.input("other")
        return ctx.gradients([
            "self": try ctx.ifNeeded("self") { try (ctx.grad * b).sumTo(a.shape) },
            "other": try ctx.ifNeeded("other") { try (ctx.grad * a).sumTo(b.shape) },
        ])
    }
    static let div: Derivative = .init(saving: .inputs("self", "other")) { ctx in
        let a = try ctx.input("self"), b = try ctx.input("other")
        // Rounded division is piecewise constant: its gradient is zero, as in PyTorch.
        if ctx.arguments.optionalString("rounding_mode") != nil {
            return ctx.gradients([
                "self": try ctx.ifNeeded("self") { try Tensor.zeros(like: a) },
                "other": try ctx.ifNeeded("other") { try Tensor.zeros(like: b) },
            ])
        }
        return ctx.gradients([
            "self": try ctx.ifNeeded("self") { try (ctx.grad / b).sumTo(a.shape) },
            "other": try ctx.ifNeeded("other") { try (-ctx.grad * a / (b * b)).sumTo(b.shape) },
        ])
    }
    static let pow: Derivative = .init(saving: .inputs("self", "exponent", outputs: true)) { ctx in
        let base = try ctx.input("self"), exponent = try ctx.input("exponent")
        return ctx.gradients([
            // d/dx x^p = p x^(p-1), taken as 0 where p == 0 (so 0^0 has no NaN gradient).
            "self": try ctx.ifNeeded("self") {
                let g = try ctx.grad * exponent * base.pow(exponent - 1.0)
                return try SwiftTorch.where(exponent.eq(0.0), Tensor.zeros(like: g), g).sumTo(base.shape)
            },
            // d/dp x^p = x^p log x, taken as 0 where x == 0 and p >= 0.
            "exponent": try ctx.ifNeeded("exponent") {
                let g = try ctx.grad * ctx.result * base.log()
                let zeroBase = try base.eq(0.0).mul(exponent.ge(0.0))
                return try SwiftTorch.where(zeroBase, Tensor.zeros(like: g), g).sumTo(exponent.shape)
            },
        ])
    }
    /// maximum/minimum: the gradient goes to the larger (smaller) input; ties split it evenly.
    static func extremum(_ wins: @escaping @Sendable (Tensor, Tensor) throws -> Tensor) -> Derivative {
        Derivative(saving: .inputs("self", "other")) { ctx in
            let a = try ctx.input("self"), b = try ctx.input("other"), g = ctx.grad
            let half = try g * 0.5
            let tie = try a.eq(b)
            let zero = try Tensor.zeros(like: g)
            return ctx.gradients([
                "self": try ctx.ifNeeded("self") { try SwiftTorch.where(tie, half, SwiftTorch.where(wins(a, b), g, zero)).sumTo(a.shape) },
                "other": try ctx.ifNeeded("other") { try SwiftTorch.where(tie, half, SwiftTorch.where(wins(b, a), g, zero)).sumTo(b.shape) },
            ])
        }
    }
    static let `where`: Derivative = .init(saving: .inputs("condition")) { ctx in
        let c = try ctx.input("condition"), a = ctx.metadata("self"), b = ctx.metadata("other"), g = ctx.grad
        let zero = try Tensor.zeros(like: g)
        return ctx.gradients([
            "self": try ctx.ifNeeded("self") { try SwiftTorch.where(c, g, zero).sumTo(a.shape) },
            "other": try ctx.ifNeeded("other") { try SwiftTorch.where(c, zero, g).sumTo(b.shape) },
        ])
    }

    /// A unary formula `grad * f'(x)`, given x, the result and grad. Only what `saving`
    /// declares is real: the other of x and y is a metadata stand-in (shape, dtype, device).
    static func unary(saving: SavedTensors, _ formula: @escaping @Sendable (_ x: Tensor, _ y: Tensor, _ g: Tensor, _ ctx: BackwardContext) throws -> Tensor) -> Derivative {
        Derivative(saving: saving) { ctx in
            let x = saving.savesInput("self") ? try ctx.input("self") : ctx.metadata("self")
            let y = saving.outputs ? try ctx.output() : ctx.outputMetadata()
            return ctx.gradients(["self": try formula(x, y, ctx.grad, ctx)])
        }
    }

    static let neg: Derivative = unary(saving: .nothing) { _, _, g, _ in try -g }
    static let abs: Derivative = unary(saving: .inputs("self")) { x, _, g, _ in try g * x.sign() }
    static let exp: Derivative = unary(saving: .output) { _, y, g, _ in try g * y }
    static let log: Derivative = unary(saving: .inputs("self")) { x, _, g, _ in try g / x }
    static let sqrt: Derivative = unary(saving: .output) { _, y, g, _ in try g / (y * 2.0) }
    static let rsqrt: Derivative = unary(saving: .output) { _, y, g, _ in try g * -0.5 * y * y * y }
    static let sin: Derivative = unary(saving: .inputs("self")) { x, _, g, _ in try g * x.cos() }
    static let cos: Derivative = unary(saving: .inputs("self")) { x, _, g, _ in try -g * x.sin() }
    static let tanh: Derivative = unary(saving: .output) { _, y, g, _ in try g * (1.0 - y * y) }
    static let sigmoid: Derivative = unary(saving: .output) { _, y, g, _ in try g * y * (1.0 - y) }
    /// One fused call, as PyTorch: threshold_backward(grad, result, 0).
    static let relu: Derivative = unary(saving: .output) { _, y, g, ctx in
        hasFusedKernel(Op.thresholdBackward, on: y) ? try thresholdBackward(g, y, threshold: 0) : try reluDecomposed.formula(ctx)[0]!
    }
    /// The former decomposition (gt, cast, mul): the oracle of threshold_backward's tests, and
    /// the path of a device backend without threshold_backward.
    static let reluDecomposed: Derivative = unary(saving: .output) { _, y, g, _ in try g * y.gt(0.0) }
    static let silu: Derivative = unary(saving: .inputs("self")) { x, _, g, _ in
        let s = try x.sigmoid()
        return try g * s * (1.0 + x * (1.0 - s))
    }
    static let gelu: Derivative = unary(saving: .inputs("self")) { x, _, g, ctx in
        if ctx.arguments.string("approximate") == "tanh" {
            // y = 0.5 x (1 + tanh(u)), u = sqrt(2/pi) (x + 0.044715 x^3)
            let k = (2.0 / Double.pi).squareRoot()
            let u = try (x + x * x * x * 0.044715) * k
            let t = try u.tanh()
            let du = try (1.0 + x * x * (3 * 0.044715)) * k
            return try g * ((1.0 + t) * 0.5 + x * 0.5 * (1.0 - t * t) * du)
        }
        // Phi(x) + x phi(x)
        let cdf = try ((x * (1 / 2.0.squareRoot())).erf() + 1.0) * 0.5
        let pdf = try (x * x * -0.5).exp() * (1 / (2 * Double.pi).squareRoot())
        return try g * (cdf + x * pdf)
    }
    static let softplus: Derivative = unary(saving: .inputs("self")) { x, _, g, ctx in
        let beta = ctx.scalar("beta"), threshold = ctx.scalar("threshold")
        let scaled = try x * beta
        return try SwiftTorch.where(scaled.gt(threshold), g, g * scaled.sigmoid())
    }
    static let reciprocal: Derivative = unary(saving: .output) { _, y, g, _ in try -g * y * y }
    static let log1p: Derivative = unary(saving: .inputs("self")) { x, _, g, _ in try g / (x + 1.0) }
    static let expm1: Derivative = unary(saving: .output) { _, y, g, _ in try g * (y + 1.0) }
    static let erf: Derivative = unary(saving: .inputs("self")) { x, _, g, _ in try g * (x * x).neg().exp() * (2 / Double.pi.squareRoot()) }
    static let square: Derivative = unary(saving: .inputs("self")) { x, _, g, _ in try g * x * 2.0 }
    /// Piecewise-constant operators (sign, floor, ceil, round) have a zero gradient.
    static let zero: Derivative = unary(saving: .nothing) { x, _, _, _ in try Tensor.zeros(like: x) }
    static let clamp: Derivative = unary(saving: .inputs("self")) { x, _, g, ctx in
        var keep = try Tensor.ones(like: x).to(.bool)
        if let lo = ctx.arguments.optionalDouble("min") { keep = try keep.mul(x.ge(lo)) }
        if let hi = ctx.arguments.optionalDouble("max") { keep = try keep.mul(x.le(hi)) }
        return try g * keep
    }
}
