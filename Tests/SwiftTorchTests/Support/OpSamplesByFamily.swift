import SwiftTorch
import SwiftTorchCore

extension OpSamples {
    /// Samples for `op`, or nil when no family here describes it.
    func samples(for op: OperatorHandle) throws -> [OpSample]? {
        let name = op.name
        let tensorArgs = op.schema.tensorArgumentIndices.map { op.schema.arguments[$0].name }
        if name.hasPrefix("_fused_") { return try fusedOptimizerSamples(name) }
        if let sequence = try sequenceSamples(name) { return sequence }
        if name.hasSuffix("_"), op.definition.group == .elementwise { return try inPlaceSamples(name) }
        switch op.definition.group {
        case .elementwise where name == "where":
            return try binaryInputs().map { label, a, b in
                let condition = try a.gt(0.0)
                return OpSample(label: label, keywords: [("condition", .tensor(condition)), ("self", .tensor(a)), ("other", .tensor(b))], terms: 1)
            }
        case .elementwise where name == "threshold_backward":
            return try thresholdBackwardSamples()
        case .elementwise where tensorArgs.count == 2:
            let variants: [[(String, ArgumentValue)]] = switch name {
            case "add", "sub": [[], [("alpha", .double(-2.5))]]
            case "div": forGradcheck ? [[]] : [[], [("rounding_mode", .string("trunc"))], [("rounding_mode", .string("floor"))]]
            default: [[]]
            }
            return try binaryInputs().flatMap { label, a, b in
                let base = name == "pow" ? try a.abs() + 0.5 : a
                return variants.map { extra in
                    OpSample(label: label + extra.map { " \($0.0)" }.joined(), keywords: [("self", .tensor(base)), (tensorArgs[1], .tensor(b))] + extra, terms: 1)
                }
            }
        case .elementwise where tensorArgs == ["self"]:
            let variants: [[(String, ArgumentValue)]] = switch name {
            case "gelu": [[("approximate", .string("none"))], [("approximate", .string("tanh"))]]
            case "clamp": [[("min", .double(-0.5)), ("max", .double(0.7))], [("min", .double(0))], [("max", .double(0.25))]]
            case "softplus": [[], [("beta", .double(2)), ("threshold", .double(3))]]
            default: [[]]
            }
            let positiveOnly = forGradcheck && ["log", "sqrt", "rsqrt", "log1p", "reciprocal"].contains(name)
            return try unaryInputs().flatMap { label, x in
                let input = positiveOnly ? try x.abs() + 0.5 : x
                return variants.map { extra in OpSample(label: label, keywords: [("self", .tensor(input))] + extra, terms: 1) }
            }
        case .reduction:
            return try reductionSamples(name)
        case .softmax where name.hasSuffix("_backward_data"):
            return try softmaxBackwardSamples(name)
        case .softmax:
            let inputs: [(String, Tensor, Int)] = forGradcheck
                ? [("rows", try randn([2, 4]), 1), ("cols", try randn([3, 2]), 0)]
                : [("rows", try randn([9, 65], scale: 3), -1), ("cols", try randn([64, 7]), 0), ("transposed", try transposed(8, 63), 1),
                   ("specials", try specials(17).reshape([1, 17]), 1), ("1025", try randn([2, 1025]), 1)]
            return inputs.map { label, x, d in OpSample(label: label, keywords: [("self", .tensor(x)), ("dim", .int(d))], terms: x.shape[d < 0 ? x.rank + d : d]) }
        case .linalg:
            return try linalgSamples(name)
        case .indexing:
            return try indexingSamples(name)
        case .loss where name == "nll_loss_backward":
            return try nllLossBackwardSamples()
        case .loss:
            return try lossSamples(name)
        case .creation:
            return creationSamples(name)
        case .conversion:
            return try conversionSamples(name)
        case .shape:
            return try shapeSamples(name)
        case .nn:
            return try nnSamples(name)
        default:
            return nil
        }
    }

    func reductionSamples(_ name: String) throws -> [OpSample]? {
        var out: [OpSample] = []
        for (label, x, dims) in try reductionInputs() {
            let terms = dims.map { $0.map { d in x.shape[d < 0 ? x.rank + d : d] }.reduce(1, *) } ?? x.count
            let empty = x.count == 0
            func sample(_ kw: [(String, ArgumentValue)]) -> OpSample {
                OpSample(label: label, keywords: [("self", .tensor(x))] + kw, terms: terms)
            }
            switch name {
            case "sum", "mean", "amax", "amin", "logsumexp", "var", "std":
                if empty, ["amax", "amin"].contains(name) { continue }
                let everyDim: ArgumentValue = ["logsumexp", "amax", "amin"].contains(name) ? .ints(name == "logsumexp" ? Array(0..<x.rank) : []) : .none
                let d: ArgumentValue = dims.map(ArgumentValue.ints) ?? everyDim
                if name == "logsumexp", x.rank == 0 { continue }
                out.append(sample([("dim", d), ("keepdim", .bool(false))]))
                if dims != nil { out.append(sample([("dim", d), ("keepdim", .bool(true))])) }
            case "prod", "cumsum", "max", "min", "argmax", "argmin":
                if empty, name != "prod" && name != "cumsum" { continue }
                let single = dims.flatMap { $0.count == 1 ? $0[0] : nil }
                if name == "cumsum" {
                    out.append(sample([("dim", .int(single ?? 0))]))
                } else {
                    if dims == nil || single != nil { out.append(sample([("dim", single.map(ArgumentValue.int) ?? .none), ("keepdim", .bool(false))])) }
                    if let single { out.append(sample([("dim", .int(single)), ("keepdim", .bool(true))])) }
                }
            default:
                return nil
            }
        }
        return out
    }

    func linalgSamples(_ name: String) throws -> [OpSample]? {
        let sizes: [(Int, Int, Int)] = forGradcheck ? [(2, 3, 2)] : [(1, 1, 1), (7, 8, 9), (63, 64, 65), (65, 1, 63), (8, 0, 9), (0, 5, 3), (64, 65, 9)]
        var out: [OpSample] = []
        for (m, k, n) in sizes {
            let label = "\(m)x\(k)x\(n)"
            switch name {
            case "mm":
                out.append(OpSample(label: label, keywords: [("self", .tensor(try randn([m, k]))), ("mat2", .tensor(try randn([k, n])))], terms: k))
                out.append(OpSample(label: label + " transposed", keywords: [("self", .tensor(try transposed(m, k))), ("mat2", .tensor(try transposed(k, n)))], terms: k))
            case "bmm":
                out.append(OpSample(label: label, keywords: [("self", .tensor(try randn([3, m, k]))), ("mat2", .tensor(try randn([3, k, n])))], terms: k))
            case "matmul":
                out.append(OpSample(label: label, keywords: [("self", .tensor(try randn([m, k]))), ("other", .tensor(try randn([k, n])))], terms: k))
                out.append(OpSample(label: label + " batch-broadcast", keywords: [("self", .tensor(try randn([2, 1, m, k]))), ("other", .tensor(try randn([3, k, n])))], terms: k))
                out.append(OpSample(label: label + " vector-matrix", keywords: [("self", .tensor(try randn([k]))), ("other", .tensor(try randn([2, k, n])))], terms: k))
                out.append(OpSample(label: label + " matrix-vector", keywords: [("self", .tensor(try randn([m, k]))), ("other", .tensor(try randn([k])))], terms: k))
                out.append(OpSample(label: label + " dot", keywords: [("self", .tensor(try randn([k]))), ("other", .tensor(try randn([k])))], terms: k))
            case "addmm":
                out.append(OpSample(label: label, keywords: [("self", .tensor(try randn([n]))), ("mat1", .tensor(try randn([m, k]))),
                                                             ("mat2", .tensor(try transposed(k, n))), ("beta", .double(0.5)), ("alpha", .double(2))], terms: k))
                out.append(OpSample(label: label + " beta0-nan", keywords: [("self", .tensor(try Tensor.full([m, n], .nan, dtype: dtype))),
                                                                           ("mat1", .tensor(try randn([m, k]))), ("mat2", .tensor(try randn([k, n]))), ("beta", .double(0))], terms: k))
            case "linear":
                out.append(OpSample(label: label, keywords: [("input", .tensor(try randn([m, k]))), ("weight", .tensor(try randn([n, k]))), ("bias", .tensor(try randn([n])))], terms: k))
                out.append(OpSample(label: label + " 3d-nobias", keywords: [("input", .tensor(try randn([2, m, k]))), ("weight", .tensor(try randn([n, k])))], terms: k))
            default:
                return nil
            }
        }
        return out
    }

    func indexingSamples(_ name: String) throws -> [OpSample]? {
        let (rows, cols) = forGradcheck ? (4, 3) : (65, 9)
        let x = try randn([rows, cols])
        switch name {
        case "index_select":
            return [OpSample(label: "dim0", keywords: [("self", .tensor(x)), ("dim", .int(0)), ("index", .tensor(try indices([7], below: rows)))], terms: 1),
                    OpSample(label: "dim1-transposed", keywords: [("self", .tensor(try transposed(rows, cols))), ("dim", .int(1)), ("index", .tensor(try indices([5], below: cols)))], terms: 1)]
        case "gather":
            return [OpSample(label: "dim1", keywords: [("self", .tensor(x)), ("dim", .int(1)), ("index", .tensor(try indices([rows, 2], below: cols)))], terms: 1),
                    OpSample(label: "dim0", keywords: [("self", .tensor(x)), ("dim", .int(0)), ("index", .tensor(try indices([3, cols], below: rows)))], terms: 1)]
        case "index_add":
            return [OpSample(label: "dim0", keywords: [("self", .tensor(x)), ("dim", .int(0)), ("index", .tensor(try indices([7], below: rows))),
                                                       ("source", .tensor(try randn([7, cols])))], terms: 7)]
        case "scatter_add":
            return [OpSample(label: "dim1", keywords: [("self", .tensor(x)), ("dim", .int(1)), ("index", .tensor(try indices([rows, 4], below: cols))),
                                                       ("src", .tensor(try randn([rows, 5])))], terms: 4)]
        default:
            return try subscriptSamples(name, x)
        }
    }

    /// The operators behind `x[...]`: views (select, slice), gathers by index tensors
    /// (index) and writes at them (index_put_, index_put).
    private func subscriptSamples(_ name: String, _ x: Tensor) throws -> [OpSample]? {
        let (rows, cols) = (x.shape[0], x.shape[1])
        // Distinct positions, so that a plain write has one winner (gradcheck needs that too).
        let distinctRows = try Tensor([Int64(rows - 1), 0, Int64(rows / 2)], shape: [3])
        let negativeCols = try Tensor([Int64(-1), 0, Int64(-cols)], shape: [3])
        switch name {
        case "select":
            return [OpSample(label: "dim1-negative", keywords: [("self", .tensor(x)), ("dim", .int(1)), ("index", .int(-2))], terms: 1),
                    OpSample(label: "dim0-transposed", keywords: [("self", .tensor(try transposed(rows, cols))), ("dim", .int(0)), ("index", .int(1))], terms: 1)]
        case "slice":
            return [OpSample(label: "stepped", keywords: [("self", .tensor(x)), ("dim", .int(0)), ("start", .int(1)), ("end", .int(-1)), ("step", .int(2))], terms: 1),
                    OpSample(label: "clamped-end", keywords: [("self", .tensor(x)), ("dim", .int(1)), ("start", .int(-2)), ("end", .int(100))], terms: 1)]
        case "index":
            return [OpSample(label: "one-dim-repeats", keywords: [("self", .tensor(x)), ("indices", .tensorList([try indices([2, 4], below: rows)]))], terms: 1),
                    OpSample(label: "two-dims-broadcast", keywords: [("self", .tensor(try transposed(rows, cols))),
                                                                    ("indices", .tensorList([try distinctRows.reshape([3, 1]), negativeCols]))], terms: 1)]
        case "index_put_", "index_put":
            return [OpSample(label: "rows-broadcast-values", keywords: [("self", .tensor(x)), ("indices", .tensorList([distinctRows])),
                                                                        ("values", .tensor(try randn([cols])))], terms: 1),
                    OpSample(label: "accumulate-repeats", keywords: [("self", .tensor(x)), ("indices", .tensorList([try indices([5], below: rows), try negativeCols.narrow(dim: 0, start: 0, length: 1)])),
                                                                     ("values", .tensor(try randn([5]))), ("accumulate", .bool(true))], terms: 5)]
        case "nonzero":
            return [OpSample(label: "mask", keywords: [("self", .tensor(try x.gt(0.0)))], terms: 1)]
        default:
            return nil
        }
    }

    func lossSamples(_ name: String) throws -> [OpSample]? {
        let shapes: [(Int, Int)] = forGradcheck ? [(3, 4)] : [(1, 3), (7, 10), (64, 65)]
        var out: [OpSample] = []
        for (n, c) in shapes {
            let label = "\(n)x\(c)"
            let reductions = ["mean", "sum", "none"].map { ("reduction", ArgumentValue.string($0)) }
            switch name {
            case "mse_loss":
                for r in reductions { out.append(OpSample(label: label, keywords: [("self", .tensor(try randn([n, c]))), ("target", .tensor(try randn([n, c]))), r], terms: n * c)) }
            case "cross_entropy", "nll_loss":
                let logits = try randn([n, c], scale: 3)
                let input = name == "nll_loss" ? try logits.logSoftmax(dim: 1) : logits
                var target = try indices([n], below: c).toArray(of: Int64.self)
                target[0] = -100
                let classes = try Tensor(target, shape: [n])
                let weight = try uniform([c], 0.5, 2)
                for r in reductions {
                    out.append(OpSample(label: label + " ignore", keywords: [("self", .tensor(input)), ("target", .tensor(classes)), r], terms: n * c))
                }
                out.append(OpSample(label: label + " weighted", keywords: [("self", .tensor(input)), ("target", .tensor(classes)), ("weight", .tensor(weight))], terms: n * c))
                if name == "cross_entropy" {
                    out.append(OpSample(label: label + " smoothing", keywords: [("self", .tensor(input)), ("target", .tensor(classes)), ("label_smoothing", .double(0.1)), ("weight", .tensor(weight))], terms: n * c))
                    out.append(OpSample(label: label + " probabilities", keywords: [("self", .tensor(input)), ("target", .tensor(try randn([n, c]).softmax(dim: 1)))], terms: n * c))
                    out.append(OpSample(label: label + " spatial", keywords: [("self", .tensor(try randn([2, c, 3]))), ("target", .tensor(try indices([2, 3], below: c)))], terms: 6 * c))
                }
            case "binary_cross_entropy_with_logits":
                let x = try randn([n, c], scale: 4), t = try uniform([n, c], 0, 1)
                for r in reductions { out.append(OpSample(label: label, keywords: [("self", .tensor(x)), ("target", .tensor(t)), r], terms: n * c)) }
                out.append(OpSample(label: label + " weights", keywords: [("self", .tensor(x)), ("target", .tensor(t)), ("weight", .tensor(try uniform([c], 0.5, 2))),
                                                                         ("pos_weight", .tensor(try uniform([c], 0.5, 3)))], terms: n * c))
            default:
                return nil
            }
        }
        return out
    }

    func creationSamples(_ name: String) -> [OpSample]? {
        let d: (String, ArgumentValue) = ("dtype", .dtype(dtype))
        switch name {
        case "full": return OpSamples.sweepSizes.map { OpSample(label: "\($0)", keywords: [("size", .ints([3, $0])), ("fill_value", .double(-1.25)), d], terms: 1) }
        case "arange": return [OpSample(label: "ints", keywords: [("start", .int(0)), ("end", .int(1025)), ("step", .int(1)), d], terms: 1),
                               OpSample(label: "floats", keywords: [("start", .double(0.5)), ("end", .double(10.3)), ("step", .double(0.7)), d], terms: 1),
                               OpSample(label: "descending", keywords: [("start", .double(5)), ("end", .double(-3)), ("step", .double(-0.25)), d], terms: 1)]
        case "linspace": return [1, 2, 9, 1025].map { OpSample(label: "\($0)", keywords: [("start", .double(-1)), ("end", .double(3)), ("steps", .int($0)), d], terms: 1) }
        case "eye": return [OpSample(label: "square", keywords: [("n", .int(9)), d], terms: 1), OpSample(label: "wide", keywords: [("n", .int(7)), ("m", .int(65)), d], terms: 1)]
        default: return nil
        }
    }

    func conversionSamples(_ name: String) throws -> [OpSample]? {
        switch name {
        case "_to_copy":
            let targets: [DType] = forGradcheck ? [.float64] : [.float32, .float64, .int64, .int32, .bool]
            return try targets.flatMap { target in
                try unaryInputs().map { label, x in OpSample(label: "\(label) to \(target)", keywords: [("self", .tensor(x)), ("dtype", .dtype(target))], terms: 1) }
            }
        case "copy_":
            return try unaryInputs().filter { $0.1.count > 0 }.map { label, x in
                OpSample(label: label, keywords: [("self", .tensor(try Tensor.zeros(x.shape, dtype: dtype))), ("src", .tensor(x))], terms: 1)
            }
        default:
            return nil
        }
    }

    func shapeSamples(_ name: String) throws -> [OpSample]? {
        let x = try randn(forGradcheck ? [2, 3, 2] : [7, 9, 8])
        let s = x.shape
        let kw: [(String, ArgumentValue)]
        switch name {
        case "cat":
            let parts = try [randn([s[0], 2, s[2]]), transposed(s[2], s[0]).reshape([s[0], 1, s[2]]), randn([s[0], 3, s[2]])]
            return [OpSample(label: "dim1", keywords: [("tensors", .tensorList(parts)), ("dim", .int(1))], terms: 1),
                    OpSample(label: "dim0", keywords: [("tensors", .tensorList([x, try randn(s)])), ("dim", .int(0))], terms: 1)]
        case "stack": kw = [("tensors", .tensorList([x, try randn(s)])), ("dim", .int(1))]
        case "reshape": kw = [("self", .tensor(try x.transpose(0, 2))), ("shape", .ints([-1, s[1]]))]
        case "permute": kw = [("self", .tensor(x)), ("dims", .ints([2, 0, 1]))]
        case "transpose": kw = [("self", .tensor(x)), ("dim0", .int(0)), ("dim1", .int(2))]
        case "squeeze": kw = [("self", .tensor(try x.unsqueeze(1))), ("dim", .ints([1]))]
        case "unsqueeze": kw = [("self", .tensor(x)), ("dim", .int(-1))]
        case "flatten": kw = [("self", .tensor(x)), ("start_dim", .int(1))]
        case "expand": kw = [("self", .tensor(try x.narrow(dim: 1, start: 0, length: 1))), ("size", .ints([2] + [s[0], 3, s[2]]))]
        case "narrow": kw = [("self", .tensor(x)), ("dim", .int(1)), ("start", .int(1)), ("length", .int(2))]
        case "as_strided": return []
        default: return nil
        }
        return [OpSample(label: name, keywords: kw, terms: 1)]
    }
}
