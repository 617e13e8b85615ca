import SwiftTorch
import SwiftTorchCore

// Samples for the in-place operators (add_, addcmul_, fill_, ...) and the fused optimizer
// steps. `self` is written, so the equivalence suite runs each sample on a copy that keeps
// `self`'s layout (see Tensor.cloneKeepingLayout): a strided `self` stays strided.
extension OpSamples {
    /// `self` views to write: contiguous sizes around vector widths, transposed, stepped
    /// over NaN gaps, empty, 0-d and special values.
    func inPlaceTargets() throws -> [(String, Tensor)] {
        if forGradcheck { return [("vector", try randn([5]))] }
        var targets: [(String, Tensor)] = try [1, 9, 65, 1025].map { ("size-\($0)", try randn([$0])) }
        targets += [("transposed", try transposed(9, 65)), ("stepped-nan-gaps", try stepped(65)),
                    ("empty", try randn([0, 3])), ("0d", try randn([])), ("specials", try specials(17))]
        return targets
    }

    /// One operand of `self`'s shape, or one that broadcasts to it (a row, a 0-d tensor).
    private func operand(for t: Tensor, broadcast: Bool) throws -> Tensor {
        broadcast && t.rank > 0 ? try randn([t.shape.last!]) : try randn(t.shape)
    }

    func inPlaceSamples(_ name: String) throws -> [OpSample]? {
        let targets = try inPlaceTargets()
        func samples(_ make: (Tensor, Bool) throws -> [(String, ArgumentValue)]) throws -> [OpSample] {
            try targets.flatMap { label, t in
                try [false, true].map { broadcast in
                    let keywords: [(String, ArgumentValue)] = try [("self", .tensor(t))] + make(t, broadcast)
                    return OpSample(label: label + (broadcast ? " broadcast" : ""), keywords: keywords, terms: 1)
                }
            }
        }
        switch name {
        case "add_", "sub_":
            return try samples { t, b in [("other", .tensor(try operand(for: t, broadcast: b))), ("alpha", .double(b ? -2.5 : 1))] }
        case "mul_":
            return try samples { t, b in [("other", .tensor(try operand(for: t, broadcast: b)))] }
        case "div_":
            return try samples { t, b in [("other", .tensor(try operand(for: t, broadcast: b))), ("rounding_mode", b ? .string("floor") : .none)] }
        case "addcmul_", "addcdiv_":
            return try samples { t, b in
                [("tensor1", .tensor(try operand(for: t, broadcast: b))), ("tensor2", .tensor(try operand(for: t, broadcast: false))),
                 ("value", .double(-0.75))]
            }
        case "lerp_":
            // Weights on both sides of 0.5 (the formula switches there), and a Swift number.
            return try samples { t, b in
                [("end", .tensor(try operand(for: t, broadcast: false))),
                 ("weight", b ? .double(0.8) : .tensor(try uniform(t.shape, -0.5, 1.5)))]
            }
        case "fill_":
            return try samples { _, b in [("value", b ? .int(-3) : .double(2.5))] }
        case "zero_":
            return targets.map { label, t in OpSample(label: label, keywords: [("self", .tensor(t))], terms: 1) }
        case "clamp_":
            return try samples { _, b in b ? [("min", .double(-0.5)), ("max", .double(0.7))] : [("max", .double(0.25))] }
        default:
            return nil
        }
    }

    /// Fused optimizer steps over three parameters (a matrix, a vector that crosses the
    /// C kernels' parallel threshold, a 0-d one), with every option switched on once.
    func fusedOptimizerSamples(_ name: String) throws -> [OpSample]? {
        let shapes: [[Int]] = forGradcheck ? [[3]] : [[7, 9], [20000], []]
        func list(_ make: ([Int]) throws -> Tensor) throws -> ArgumentValue { .tensorList(try shapes.map(make)) }
        let params = try list { try randn($0) }, grads = try list { try randn($0) }
        func positive() throws -> ArgumentValue { try list { try uniform($0, 0.01, 2) } }
        let empty = ArgumentValue.tensorList([])
        func sample(_ label: String, _ keywords: [(String, ArgumentValue)]) -> OpSample {
            OpSample(label: label, keywords: [("self", params), ("grads", grads)] + keywords, terms: 1)
        }
        switch name {
        case "_fused_sgd_":
            let options: [(String, [(String, ArgumentValue)])] = [
                ("plain", [("momentum_buffer_list", empty), ("momentum", .double(0)), ("nesterov", .bool(false)), ("is_first_step", .bool(false)), ("maximize", .bool(false))]),
                ("first-step", [("momentum_buffer_list", try list { try randn($0) }), ("momentum", .double(0.9)), ("nesterov", .bool(false)), ("is_first_step", .bool(true)), ("maximize", .bool(true))]),
                ("nesterov", [("momentum_buffer_list", try list { try randn($0) }), ("momentum", .double(0.9)), ("nesterov", .bool(true)), ("is_first_step", .bool(false)), ("maximize", .bool(false))]),
            ]
            return options.map { label, kw in
                sample(label, kw + [("weight_decay", .double(0.01)), ("lr", .double(0.1)), ("dampening", .double(0))])
            }
        case "_fused_adam_", "_fused_adamw_":
            return try [false, true].map { amsgrad in
                sample(amsgrad ? "amsgrad" : "plain", [
                    ("exp_avgs", try list { try randn($0) }), ("exp_avg_sqs", try positive()),
                    ("max_exp_avg_sqs", amsgrad ? try positive() : empty), ("state_steps", .ints(amsgrad ? [1, 5, 30] : [3, 3, 3])),
                    ("lr", .double(1e-3)), ("beta1", .double(0.9)), ("beta2", .double(0.999)), ("weight_decay", .double(0.01)),
                    ("eps", .double(1e-8)), ("amsgrad", .bool(amsgrad)), ("maximize", .bool(amsgrad)),
                ])
            }
        case "_fused_rmsprop_":
            return try [false, true].map { full in
                sample(full ? "centered-momentum" : "plain", [
                    // A centered average stays below the square average (its variance is >= 0).
                    ("square_avgs", full ? try list { try uniform($0, 1, 2) } : try positive()),
                    ("grad_avgs", full ? try list { try uniform($0, -0.5, 0.5) } : empty),
                    ("momentum_buffer_list", full ? try list { try randn($0) } : empty),
                    ("lr", .double(0.01)), ("alpha", .double(0.99)), ("eps", .double(1e-8)), ("weight_decay", .double(full ? 0.1 : 0)),
                    ("momentum", .double(full ? 0.9 : 0)), ("centered", .bool(full)), ("maximize", .bool(full)),
                ])
            }
        default:
            return nil
        }
    }
}

extension Tensor {
    /// A copy over a copy of the whole storage with the same offset and strides, so an
    /// in-place operator on it writes the same view (and leaves the same gaps) as on `self`.
    func cloneKeepingLayout() throws -> Tensor {
        let storage = try Storage.cpu(byteCount: self.storage.byteCount)
        storage.data.copyMemory(from: self.storage.data, byteCount: self.storage.byteCount)
        return try Tensor(storage: storage, shape: shape, strides: strides, offset: offset, dtype: dtype)
    }

    /// The whole storage as a 1-D tensor (gaps included), to check what a view's write left alone.
    func wholeStorage() -> Tensor {
        Tensor(uncheckedStorage: storage, shape: [storage.byteCount / dtype.itemSize], strides: [1], offset: 0, dtype: dtype)
    }
}
