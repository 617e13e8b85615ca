import SwiftTorch
import SwiftTorchCore

// Samples of the fused backward operators: gradients and saved values of the shapes and
// layouts their forwards see (broadcast, transposed, stepped, special values, empty, 0-d).
extension OpSamples {
    func thresholdBackwardSamples() throws -> [OpSample] {
        let thresholds: [Double] = forGradcheck ? [0] : [0, 0.25]
        return try binaryInputs().flatMap { label, g, x in
            thresholds.map { t in
                OpSample(label: "\(label) threshold \(t)", keywords: [("grad_output", .tensor(g)), ("self", .tensor(x)), ("threshold", .double(t))], terms: 1)
            }
        }
    }

    /// The output of softmax or log_softmax of a sample input, and a gradient of its shape.
    func softmaxBackwardSamples(_ name: String) throws -> [OpSample] {
        let log = name == "_log_softmax_backward_data"
        let inputs: [(String, Tensor, Int)] = forGradcheck
            ? [("rows", try randn([2, 4]), 1), ("cols", try randn([3, 2]), 0)]
            : [("rows", try randn([9, 65], scale: 3), -1), ("cols", try randn([64, 7]), 0), ("transposed", try transposed(8, 63), 1),
               ("specials", try specials(17).reshape([1, 17]), 1), ("1025", try randn([2, 1025]), 1), ("empty", try randn([0, 5]), 1),
               ("0d", try randn([]), 0)]
        return try inputs.map { label, x, d in
            let y = log ? try x.logSoftmax(dim: d) : try x.softmax(dim: d)
            // A transposed gradient for transposed inputs; specials in the gradient too.
            let g = label == "transposed" ? try transposed(x.shape[0], x.shape[1]) : label == "specials" ? try specials(17).flip().reshape([1, 17]) : try randn(x.shape)
            return OpSample(label: label, keywords: [("grad_output", .tensor(g)), ("output", .tensor(y)), ("dim", .int(d)), ("input_dtype", .dtype(dtype))],
                            terms: x.rank == 0 ? 1 : x.shape[d < 0 ? x.rank + d : d])
        }
    }

    /// Log-probabilities with one ignored target, every reduction, class weights (not in
    /// gradcheck: they are not differentiable here), a given total weight, spatial and 1-D inputs.
    func nllLossBackwardSamples() throws -> [OpSample] {
        let shapes: [(Int, Int)] = forGradcheck ? [(3, 4)] : [(1, 3), (7, 10), (64, 65), (0, 4)]
        var out: [OpSample] = []
        for (n, c) in shapes {
            let label = "\(n)x\(c)"
            let logp = try randn([n, c], scale: 3).logSoftmax(dim: 1)
            var target = try indices([n], below: c).toArray(of: Int64.self)
            if n > 1 { target[0] = -100 }
            let classes = try Tensor(target, shape: [n])
            func sample(_ suffix: String, _ reduction: String, _ extra: [(String, ArgumentValue)] = []) throws -> OpSample {
                let g = reduction == "none" ? try randn([n]) : try randn([])
                return OpSample(label: label + suffix, keywords: [("grad_output", .tensor(g)), ("self", .tensor(logp)), ("target", .tensor(classes)),
                                                                  ("reduction", .string(reduction))] + extra, terms: n)
            }
            for r in ["mean", "sum", "none"] { out.append(try sample(" \(r)", r)) }
            if !forGradcheck {
                out.append(try sample(" weighted", "mean", [("weight", .tensor(try uniform([c], 0.5, 2)))]))
                out.append(try sample(" weighted none", "none", [("weight", .tensor(try uniform([c], 0.5, 2)))]))
                out.append(try sample(" total_weight", "mean", [("total_weight", .tensor(try uniform([], 2, 3)))]))
            }
        }
        let spatialTarget = try indices([2, 3], below: 4)
        out.append(OpSample(label: "spatial", keywords: [("grad_output", .tensor(try randn([2, 3]))), ("self", .tensor(try randn([2, 4, 3]))),
                                                         ("target", .tensor(spatialTarget)), ("reduction", .string("none"))], terms: 6))
        out.append(OpSample(label: "1-D", keywords: [("grad_output", .tensor(try randn([]))), ("self", .tensor(try randn([5]))),
                                                     ("target", .tensor(try Tensor([Int64(3)], shape: [])))], terms: 1))
        return out
    }
}
