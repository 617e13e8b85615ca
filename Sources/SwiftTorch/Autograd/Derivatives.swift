import SwiftTorchCore

// Helpers for the derivative formulas declared next to each operator's schema.

extension BackwardContext {
    /// The first output (detached); throws unless the derivative saves outputs.
    var result: Tensor { get throws { try output(0) } }

    /// Whether the tensor argument `name` needs a gradient.
    func needs(_ name: String) -> Bool {
        var position = 0
        for (argument, value) in zip(arguments.schema.arguments, arguments.values) {
            switch value {
            case .tensor:
                if argument.name == name { return needsGrad[position] }
                position += 1
            case .tensorList(let ts):
                if argument.name == name { return needsGrad[position..<(position + ts.count)].contains(true) }
                position += ts.count
            default:
                continue
            }
        }
        return false
    }

    /// Arranges named gradients in the order the dispatcher expects (every tensor argument,
    /// lists flattened). Names not given get no gradient.
    func gradients(_ named: [String: Tensor?], lists: [String: [Tensor?]] = [:]) -> [Tensor?] {
        var out: [Tensor?] = []
        for (argument, value) in zip(arguments.schema.arguments, arguments.values) {
            switch value {
            case .tensor: out.append(named[argument.name] ?? nil)
            case .tensorList(let ts): out += lists[argument.name] ?? [Tensor?](repeating: nil, count: ts.count)
            default: continue
            }
        }
        return out
    }

    /// Computes `grad` wrt `name` only when it is needed.
    func ifNeeded(_ name: String, _ formula: () throws -> Tensor) rethrows -> Tensor? {
        needs(name) ? try formula() : nil
    }

    /// The alpha-like scalar argument `name` as a Double.
    func scalar(_ name: String) -> Double { arguments.double(name) }
}

/// A derivative obtained by differentiating a decomposition of the operator into other
/// registered operators (used for the normalisations and some losses, whose formulas
/// would otherwise repeat the forward's case analysis). `decomposition` receives the inputs
/// `names` as fresh leaves; it may also read the saved inputs `alsoReading`.
func derivativeByDecomposition(_ names: [String], alsoReading: [String] = [],
                               _ decomposition: @escaping @Sendable (BackwardContext, [String: Tensor]) throws -> Tensor) -> Derivative {
    Derivative(saving: SavedTensors(inputs: Set(names + alsoReading), outputs: false)) { ctx in
        try ctx.gradientsOfDecomposition(names, gradOutput: ctx.grad) { leaves in try decomposition(ctx, leaves) }
    }
}

extension BackwardContext {
    /// The gradients, for the saved inputs `names` that need one, of `decomposition`
    /// evaluated on fresh leaves of them (absent optional inputs are left out), weighted by
    /// `gradOutput` (nil for a 0-d result).
    func gradientsOfDecomposition(_ names: [String], gradOutput: Tensor?,
                                  _ decomposition: ([String: Tensor]) throws -> Tensor) throws -> [Tensor?] {
        var leaves: [String: Tensor] = [:]
        var wanted: [(String, Tensor)] = []
        for name in names {
            guard let t = try optionalInput(name) else { continue }
            let leaf = t.alias()
            if needs(name) {
                leaf.requiresGrad = true
                wanted.append((name, leaf))
            }
            leaves[name] = leaf
        }
        if wanted.isEmpty { return gradients([:]) }
        let grads = try GradMode.withGradEnabled(true) {
            try SwiftTorch.gradients(of: try decomposition(leaves), withRespectTo: wanted.map(\.1), gradOutput: gradOutput)
        }
        var named: [String: Tensor?] = [:]
        for ((name, _), g) in zip(wanted, grads) { named[name] = g }
        return gradients(named)
    }
}

extension Tensor {
    /// `grad` of a reduction, reshaped so it broadcasts back over the reduced dims.
    func unsqueezeReduced(_ dims: [Int], keepdim: Bool, inputRank: Int) throws -> Tensor {
        if keepdim || dims.isEmpty && rank == inputRank { return self }
        var g = self
        for d in dims.sorted() { g = try g.unsqueeze(d) }
        return g
    }
}

/// The dims a reduction's gradient must restore: the `dim` argument wrapped, or every dim.
func reducedDims(_ ctx: BackwardContext, rank: Int) -> [Int] {
    let given: [Int]
    switch ctx.arguments["dim"] {
    case .ints(let ds): given = ds
    case .int(let d): given = [d]
    default: given = []
    }
    if given.isEmpty { return Array(0..<rank) }
    return given.map { $0 < 0 ? $0 + Swift.max(rank, 1) : $0 }.filter { $0 < Swift.max(rank, 1) }
}
