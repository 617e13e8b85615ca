import SwiftTorchCore
#if canImport(Glibc)
import Glibc
#endif

// Fused backward operators (Sources/SwiftTorch/Ops/BackwardOps.swift). Meta has broadcast
// threshold_backward's operands, cast the softmax backwards' operands to one compute dtype
// and wrapped `dim`, and validated nll_loss_backward's like nll_loss's.

let backwardKernels: [(String, Kernel)] = [
    ("threshold_backward", thresholdBackwardKernel),
    ("_softmax_backward_data", softmaxBackwardKernel { g, y in
        let s = doubleSum(zip(g, y).map { $0 * $1 })
        return zip(g, y).map { gi, yi in yi * (gi - s) }
    }),
    ("_log_softmax_backward_data", softmaxBackwardKernel { g, y in
        let s = doubleSum(g)
        return zip(g, y).map { gi, yi in gi - exp(yi) * s }
    }),
    ("nll_loss_backward", nllLossBackwardKernel),
]

/// The threshold is compared in the tensors' dtype, as PyTorch converts the scalar.
private let thresholdBackwardKernel: Kernel = { call in
    let g = call.arguments.tensor("grad_output").doubleValues(), x = call.arguments.tensor("self").doubleValues()
    let given = call.arguments.double("threshold")
    let threshold = call.output.dtype == .float32 ? Double(Float(given)) : given
    call.output.setDoubleValues(zip(g, x).map { gi, xi in xi <= threshold ? 0 : gi })
}

/// Applies `row(grad, output)` to every slice along `dim`.
private func softmaxBackwardKernel(_ row: @escaping @Sendable ([Double], [Double]) -> [Double]) -> Kernel {
    { call in
        let g = call.arguments.tensor("grad_output"), y = call.arguments.tensor("output")
        let plan = ReductionPlan(shape: y.shape, reducing: [call.arguments.int("dim")])
        var out = [Double](repeating: 0, count: plan.elementCount)
        for (base, (gs, ys)) in zip(plan.groupBases, zip(plan.groups(g.doubleValues()), plan.groups(y.doubleValues()))) {
            for (offset, v) in zip(plan.memberOffsets, row(gs, ys)) { out[base + offset] = v }
        }
        call.output.setDoubleValues(out)
    }
}

/// `weight[t] * -(grad / total_weight)` ("mean") or `weight[t] * -grad` at each non-ignored
/// target's class; the input is laid out [samples, classes, positions...].
private let nllLossBackwardKernel: Kernel = { call in
    let args = call.arguments
    let input = args.tensor("self")
    let classDim = input.rank == 1 ? 0 : 1
    let classes = input.shape[classDim]
    let inner = input.shape.dropFirst(classDim + 1).reduce(1, *)
    let targets = args.tensor("target").int64Values()
    let grad = args.tensor("grad_output").doubleValues()
    let weight = args.optionalTensor("weight")?.doubleValues()
    let ignore = Int64(args.int("ignore_index"))
    let reduction = args.string("reduction")
    for t in targets where t != ignore && (t < 0 || t >= Int64(classes)) {
        throw TorchError(.indexOutOfRange, "nll_loss_backward: target class \(t) is out of range for \(classes) classes")
    }
    var total = 0.0
    if let given = args.optionalTensor("total_weight") {
        total = given.doubleValues()[0]
    } else {
        for t in targets where t != ignore { total += weight?[Int(t)] ?? 1 }
    }
    var out = [Double](repeating: 0, count: input.count)
    for (i, t) in targets.enumerated() where t != ignore {
        var g = grad[reduction == "none" ? i : 0]
        if reduction == "mean" { g = g / total }
        let w = weight?[Int(t)] ?? 1
        out[((i / inner) * classes + Int(t)) * inner + i % inner] = w * -g
    }
    call.output.setDoubleValues(out)
}
