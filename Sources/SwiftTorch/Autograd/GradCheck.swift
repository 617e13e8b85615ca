import SwiftTorchCore

/// Compares autograd's gradients with central finite differences, as `torch.autograd.gradcheck`.
public enum GradCheck {
    /// The tolerances of NOTES.md for float64 finite differences.
    public struct Options: Sendable {
        /// The finite-difference step.
        public var eps = 1e-6
        /// The absolute tolerance.
        public var atol = 1e-5
        /// The relative tolerance.
        public var rtol = 1e-3
        /// The default tolerances.
        public init() {}
    }

    /// Checks `function` at `inputs` (float64 tensors; those with `requiresGrad` are checked).
    /// The output is contracted with fixed pseudo-random weights, so every output element
    /// takes part. Throws a `TorchError` naming the input and element that disagree.
    public static func check(_ name: String = "function", inputs: [Tensor], options: Options = Options(),
                             _ function: ([Tensor]) throws -> Tensor) throws {
        for t in inputs where t.requiresGrad && t.dtype != .float64 {
            throw TorchError(.dtypeMismatch, "gradcheck(\(name)): inputs must be float64 for finite differences, got \(t.dtype)")
        }
        let leaves = try inputs.map { t -> Tensor in
            let leaf = try t.detach().clone()
            leaf.requiresGrad = t.requiresGrad
            return leaf
        }
        let output = try function(leaves)
        let weights = try Tensor(pseudoRandomWeights(output.count), shape: output.shape, dtype: .float64).to(output.device)
        let contracted = try (output.to(.float64) * weights).sum()
        guard contracted.requiresGrad else {
            throw TorchError(.autograd, "gradcheck(\(name)): the output does not depend on any input that requires grad")
        }
        try contracted.backward()

        func value(_ perturbed: [Tensor]) throws -> Double {
            try GradMode.withNoGrad { try (function(perturbed).to(.float64) * weights).sum().item(Double.self) }
        }
        for (k, leaf) in leaves.enumerated() where leaf.requiresGrad {
            let analytic = try leaf.grad.map { try $0.toArray(of: Double.self) } ?? [Double](repeating: 0, count: leaf.count)
            let base = try leaf.toArray(of: Double.self)
            for i in base.indices {
                var plus = base, minus = base
                plus[i] += options.eps
                minus[i] -= options.eps
                var args = leaves.map { $0.detach() }
                args[k] = try Tensor(plus, shape: leaf.shape, dtype: .float64).to(leaf.device)
                let up = try value(args)
                args[k] = try Tensor(minus, shape: leaf.shape, dtype: .float64).to(leaf.device)
                let down = try value(args)
                let numeric = (up - down) / (2 * options.eps)
                if Swift.abs(numeric - analytic[i]) > options.atol + options.rtol * Swift.abs(numeric) {
                    throw TorchError(.autograd, "gradcheck(\(name)): input \(k) \(describe(shape: leaf.shape)) element \(i): analytic \(analytic[i]), numeric \(numeric)")
                }
            }
        }
    }

    /// Deterministic weights in [0.5, 1.5) with varying signs: no symmetry hides an error.
    static func pseudoRandomWeights(_ n: Int) -> [Double] {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        return (0..<n).map { i in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            let u = Double(state >> 11) * 0x1.0p-53
            return (i % 3 == 2 ? -1 : 1) * (0.5 + u)
        }
    }
}
