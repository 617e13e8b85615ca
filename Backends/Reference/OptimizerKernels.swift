import Foundation
import SwiftTorchCore

// Reference kernels of the fused optimizer steps (Sources/SwiftTorch/Ops/OptimizerOps.swift):
// per parameter, per element, PyTorch's single-tensor update order written out in Double
// and rounded once when stored. Meta has checked that every list matches `self`.

let optimizerKernels: [(String, Kernel)] = [
    ("_fused_sgd_", fusedSGD), ("_fused_adam_", fusedAdam(decoupled: false)),
    ("_fused_adamw_", fusedAdam(decoupled: true)), ("_fused_rmsprop_", fusedRMSprop),
]

/// The values of list `name`'s tensor `i`, or nil when the list is empty (optional state).
private func values(_ call: KernelCall, _ name: String, _ i: Int) -> [Double]? {
    let list = call.arguments.tensorList(name)
    return list.isEmpty ? nil : list[i].doubleValues()
}

private func store(_ call: KernelCall, _ name: String, _ i: Int, _ v: [Double]?) {
    if let v { call.arguments.tensorList(name)[i].setDoubleValues(v) }
}

private let fusedSGD: Kernel = { call in
    let a = call.arguments
    let lr = a.double("lr"), wd = a.double("weight_decay"), momentum = a.double("momentum")
    let dampening = a.double("dampening"), nesterov = a.bool("nesterov"), maximize = a.bool("maximize")
    let first = a.bool("is_first_step")
    for (i, param) in a.tensorList("self").enumerated() {
        var p = param.doubleValues(), buf = values(call, "momentum_buffer_list", i)
        let grad = a.tensorList("grads")[i].doubleValues()
        for j in p.indices {
            var g = maximize ? -grad[j] : grad[j]
            if wd != 0 { g += wd * p[j] }
            if momentum != 0 {
                // The first buffer is the gradient itself, undamped.
                buf![j] = first ? g : buf![j] * momentum + (1 - dampening) * g
                g = nesterov ? g + momentum * buf![j] : buf![j]
            }
            p[j] += -lr * g
        }
        param.setDoubleValues(p)
        store(call, "momentum_buffer_list", i, buf)
    }
}

private func fusedAdam(decoupled: Bool) -> Kernel {
    { call in
        let a = call.arguments
        let lr = a.double("lr"), beta1 = a.double("beta1"), beta2 = a.double("beta2"), wd = a.double("weight_decay")
        let eps = a.double("eps"), amsgrad = a.bool("amsgrad"), maximize = a.bool("maximize")
        let steps = a.ints("state_steps")
        for (i, param) in a.tensorList("self").enumerated() {
            let stepSize = lr / (1 - pow(beta1, Double(steps[i])))
            let biasCorrection2Sqrt = (1 - pow(beta2, Double(steps[i]))).squareRoot()
            var p = param.doubleValues(), m = values(call, "exp_avgs", i)!, v = values(call, "exp_avg_sqs", i)!
            var vMax = amsgrad ? values(call, "max_exp_avg_sqs", i) : nil
            let grad = a.tensorList("grads")[i].doubleValues()
            for j in p.indices {
                var g = maximize ? -grad[j] : grad[j]
                if wd != 0 {
                    if decoupled { p[j] *= 1 - lr * wd } else { g += wd * p[j] }
                }
                m[j] = ElementwiseSupport.lerp(m[j], g, 1 - beta1)
                v[j] = v[j] * beta2 + (1 - beta2) * g * g
                var second = v[j]
                if vMax != nil {
                    // NaN-propagating maximum, as torch.maximum.
                    vMax![j] = vMax![j].isNaN || v[j].isNaN ? .nan : Swift.max(vMax![j], v[j])
                    second = vMax![j]
                }
                let denom = second.squareRoot() / biasCorrection2Sqrt + eps
                p[j] += -stepSize * m[j] / denom
            }
            param.setDoubleValues(p)
            store(call, "exp_avgs", i, m)
            store(call, "exp_avg_sqs", i, v)
            store(call, "max_exp_avg_sqs", i, vMax)
        }
    }
}

private let fusedRMSprop: Kernel = { call in
    let a = call.arguments
    let lr = a.double("lr"), alpha = a.double("alpha"), eps = a.double("eps"), wd = a.double("weight_decay")
    let momentum = a.double("momentum"), centered = a.bool("centered"), maximize = a.bool("maximize")
    for (i, param) in a.tensorList("self").enumerated() {
        var p = param.doubleValues(), sq = values(call, "square_avgs", i)!
        var gAvg = values(call, "grad_avgs", i), buf = values(call, "momentum_buffer_list", i)
        let grad = a.tensorList("grads")[i].doubleValues()
        for j in p.indices {
            var g = maximize ? -grad[j] : grad[j]
            if wd != 0 { g += wd * p[j] }
            sq[j] = sq[j] * alpha + (1 - alpha) * g * g
            var avg: Double
            if centered {
                gAvg![j] = ElementwiseSupport.lerp(gAvg![j], g, 1 - alpha)
                avg = (sq[j] + -1 * gAvg![j] * gAvg![j]).squareRoot()
            } else {
                avg = sq[j].squareRoot()
            }
            avg += eps
            if momentum > 0 {
                buf![j] = buf![j] * momentum + g / avg
                p[j] += -lr * buf![j]
            } else {
                p[j] += -lr * g / avg
            }
        }
        param.setDoubleValues(p)
        store(call, "square_avgs", i, sq)
        store(call, "grad_avgs", i, gAvg)
        store(call, "momentum_buffer_list", i, buf)
    }
}
