import COpenMPKernels
import Foundation
import SwiftTorchCore

// Fused optimizer steps of the OpenMP backend (C side: optim_fused.c): one C call per
// parameter, each one pass over the parameter, its gradient and its state. Meta
// (Sources/SwiftTorch/Ops/OptimizerOps.swift) has checked that every list matches `self`
// and that everything written is contiguous; gradients arrive contiguous.

enum OptimizerOMP {
    /// The first element of tensor `i` of list `name`, or nil when the list is empty.
    private static func pointer(_ call: KernelCall, _ name: String, _ i: Int) -> UnsafeMutableRawPointer? {
        let list = call.arguments.tensorList(name)
        return list.isEmpty ? nil : StridedOperand(list[i]).pointer
    }

    /// Runs `body(i, dtype code, count, param, grad)` for every parameter.
    private static func forEachParameter(_ op: String, _ call: KernelCall,
                                         _ body: (Int, Int32, Int64, UnsafeMutableRawPointer, UnsafeMutableRawPointer) -> Int32) throws {
        for (i, p) in call.arguments.tensorList("self").enumerated() where p.count > 0 {
            let status = body(i, StridedLoop.code(p.dtype), Int64(p.count), pointer(call, "self", i)!, pointer(call, "grads", i)!)
            try ElementwiseOMP.check(op, status, [p.dtype])
        }
    }

    private static let sgd: Kernel = { call in
        let a = call.arguments
        var h = st_sgd_hyper(lr: a.double("lr"), weight_decay: a.double("weight_decay"), momentum: a.double("momentum"),
                             dampening: a.double("dampening"), nesterov: a.bool("nesterov") ? 1 : 0,
                             maximize: a.bool("maximize") ? 1 : 0, is_first_step: a.bool("is_first_step") ? 1 : 0)
        try forEachParameter("_fused_sgd_", call) { i, dtype, n, p, g in
            st_fused_sgd(dtype, n, p, g, pointer(call, "momentum_buffer_list", i), &h)
        }
    }

    private static func adam(_ op: String, decoupled: Bool) -> (String, Kernel) {
        (op, { call in
            let a = call.arguments
            let beta1 = a.double("beta1"), beta2 = a.double("beta2"), steps = a.ints("state_steps")
            var h = st_adam_hyper(lr: a.double("lr"), beta1: beta1, beta2: beta2, weight_decay: a.double("weight_decay"),
                                  eps: a.double("eps"), step_size: 0, bias_correction2_sqrt: 0,
                                  amsgrad: a.bool("amsgrad") ? 1 : 0, maximize: a.bool("maximize") ? 1 : 0,
                                  decoupled: decoupled ? 1 : 0)
            try forEachParameter(op, call) { i, dtype, n, p, g in
                // Bias corrections of this parameter's own step, as the reference computes them.
                h.step_size = h.lr / (1 - pow(beta1, Double(steps[i])))
                h.bias_correction2_sqrt = (1 - pow(beta2, Double(steps[i]))).squareRoot()
                return st_fused_adam(dtype, n, p, g, pointer(call, "exp_avgs", i), pointer(call, "exp_avg_sqs", i),
                                     pointer(call, "max_exp_avg_sqs", i), &h)
            }
        })
    }

    private static let rmsprop: Kernel = { call in
        let a = call.arguments
        var h = st_rmsprop_hyper(lr: a.double("lr"), alpha: a.double("alpha"), eps: a.double("eps"),
                                 weight_decay: a.double("weight_decay"), momentum: a.double("momentum"),
                                 centered: a.bool("centered") ? 1 : 0, maximize: a.bool("maximize") ? 1 : 0)
        try forEachParameter("_fused_rmsprop_", call) { i, dtype, n, p, g in
            st_fused_rmsprop(dtype, n, p, g, pointer(call, "square_avgs", i), pointer(call, "grad_avgs", i),
                             pointer(call, "momentum_buffer_list", i), &h)
        }
    }

    static let kernels: [(String, Kernel)] = [
        ("_fused_sgd_", sgd), adam("_fused_adam_", decoupled: false), adam("_fused_adamw_", decoupled: true),
        ("_fused_rmsprop_", rmsprop),
    ]
}
