import SwiftTorchCore

// Fused optimizer steps (PyTorch's `_fused_sgd_`, `_fused_adam_`, `_fused_adamw_`, plus
// one for RMSprop): one call updates every parameter of a list, each in one pass over its
// parameter, gradient and state, in PyTorch's update order (see Optim/*.swift).
//
// Parameters and state buffers are written, so they must be dense (contiguous); a
// non-contiguous gradient is made contiguous here, once. Per-parameter step counts arrive
// as `int[]` (PyTorch keeps them as tensors for CUDA graphs, which we do not have). An
// optional state list (momentum buffers without momentum, max_exp_avg_sqs without
// amsgrad, grad_avgs uncentered) is empty.

enum FusedOptimizer {
    /// Checks the lists against `self` (one entry per parameter, same shape and dtype),
    /// makes gradients contiguous and marks every written tensor as modified. `state` names
    /// the written state lists with whether the call needs them.
    static func prepare(_ op: String, _ args: inout Arguments, state: [(String, Bool)]) throws -> OutputSpecs {
        let params = args.tensorList("self")
        var grads = args.tensorList("grads")
        for (name, needed) in [("grads", true)] + state {
            let list = args.tensorList(name)
            guard list.count == (needed ? params.count : list.count), needed || list.isEmpty else {
                throw TorchError(.invalidArgument, "\(op): \(name) must hold \(needed ? "one tensor per parameter (\(params.count))" : "no tensors for these options"), got \(list.count)")
            }
            for (i, (p, t)) in zip(params, list).enumerated() where t.shape != p.shape || t.dtype != p.dtype {
                throw TorchError(.shapeMismatch, "\(op): \(name)[\(i)] is \(t.dtype)\(describe(shape: t.shape)) but parameter \(i) is \(p.dtype)\(describe(shape: p.shape))")
            }
        }
        let written = params + state.flatMap { args.tensorList($0.0) }
        for t in written {
            try InPlace.checkWritable(op, t)
            guard t.dtype.isFloatingPoint, t.isContiguous else {
                throw TorchError(.invalidArgument, "\(op): parameters and state must be contiguous floating-point tensors, got a \(t.isContiguous ? "" : "non-contiguous ")\(t.dtype)\(describe(shape: t.shape))")
            }
        }
        grads = try grads.map { try $0.contiguous() }
        args["grads"] = .tensorList(grads)
        // The dispatcher bumps the version of a single `self` tensor; these write lists, so
        // the versions are bumped here (before the kernel; a backward pass that runs later
        // sees the change either way).
        for t in written { t.storage.bumpVersion() }
        return []
    }

    /// Adam's per-parameter step counts: one per parameter, each at least 1.
    static func checkSteps(_ op: String, _ args: Arguments) throws {
        let steps = args.ints("state_steps"), count = args.tensorList("self").count
        guard steps.count == count, steps.allSatisfy({ $0 >= 1 }) else {
            throw TorchError(.invalidArgument, "\(op): state_steps must hold one step count >= 1 per parameter (\(count)), got \(steps)")
        }
    }

    static let adamSchema = "(Tensor[] self, Tensor[] grads, Tensor[] exp_avgs, Tensor[] exp_avg_sqs, Tensor[] max_exp_avg_sqs, int[] state_steps, *, float lr, float beta1, float beta2, float weight_decay, float eps, bool amsgrad, bool maximize) -> ()"

    static func adam(_ name: String) -> OperatorHandle {
        declare(OperatorDefinition(name + adamSchema, group: .nn, meta: { args in
            try checkSteps(name, args)
            return try prepare(name, &args, state: [("exp_avgs", true), ("exp_avg_sqs", true),
                                                    ("max_exp_avg_sqs", args.bool("amsgrad"))])
        }))
    }
}

extension Op {
    /// SGD (momentum, dampening, Nesterov, weight decay, maximize) over every parameter of
    /// a list. On the first step the momentum buffers are set to the gradient (PyTorch).
    public static let fusedSGD_ = declare(OperatorDefinition(
        "_fused_sgd_(Tensor[] self, Tensor[] grads, Tensor[] momentum_buffer_list, *, float weight_decay, float momentum, float lr, float dampening, bool nesterov, bool maximize, bool is_first_step) -> ()",
        group: .nn, meta: { args in
            try FusedOptimizer.prepare("_fused_sgd_", &args, state: [("momentum_buffer_list", args.double("momentum") != 0)])
        }))
    /// Adam (L2 weight decay, amsgrad, maximize) with per-parameter bias correction.
    public static let fusedAdam_ = FusedOptimizer.adam("_fused_adam_")
    /// AdamW: Adam with decoupled weight decay (`p *= 1 - lr * weight_decay` first).
    public static let fusedAdamW_ = FusedOptimizer.adam("_fused_adamw_")
    /// RMSprop (centered, momentum, weight decay, maximize).
    public static let fusedRMSprop_ = declare(OperatorDefinition(
        "_fused_rmsprop_(Tensor[] self, Tensor[] grads, Tensor[] square_avgs, Tensor[] grad_avgs, Tensor[] momentum_buffer_list, *, float lr, float alpha, float eps, float weight_decay, float momentum, bool centered, bool maximize) -> ()",
        group: .nn, meta: { args in
            try FusedOptimizer.prepare("_fused_rmsprop_", &args, state: [
                ("square_avgs", true), ("grad_avgs", args.bool("centered")), ("momentum_buffer_list", args.double("momentum") > 0),
            ])
        }))

    static let optimizerFamily = [fusedSGD_, fusedAdam_, fusedAdamW_, fusedRMSprop_]
}
