import SwiftTorchCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// Reference kernels of the sequence-model operators (Sources/SwiftTorch/Ops/MaskingOps.swift,
// NN/ActivationOps.swift, NN/RecurrentCellOps.swift, NN/AttentionOps.swift): plain loops in
// Double, each written as the formula its operator's documentation states.

private typealias E = ElementwiseSupport

let sequenceKernels: [(String, Kernel)] = [
    ("masked_fill", maskedFillKernel), ("tril", triangleKernel(upper: false)), ("triu", triangleKernel(upper: true)),
    ("leaky_relu", leakyReluKernel), ("elu", eluKernel),
    ("_thnn_fused_lstm_cell", fusedLstmCellKernel), ("_thnn_fused_gru_cell", fusedGruCellKernel),
    ("_scaled_dot_product_fused_attention", fusedAttentionKernel),
]

/// Meta broadcast self, mask and value (stride 0) to the output's shape.
private let maskedFillKernel: Kernel = { call in
    let x = call.arguments.tensor("self"), value = call.arguments.tensor("value"), out = call.output
    let mask = call.arguments.tensor("mask").int64Values()
    if x.dtype.isFloatingPoint {
        let (a, v) = (x.doubleValues(), value.doubleValues())
        out.setDoubleValues { mask[$0] != 0 ? v[$0] : a[$0] }
    } else {
        let (a, v) = (x.int64Values(), value.int64Values())
        out.setInt64Values { mask[$0] != 0 ? v[$0] : a[$0] }
    }
}

/// Keeps element (row, column) of each trailing matrix when `column - row <= diagonal`
/// (tril) or `>= diagonal` (triu); any dtype, moved as its int64 or double value.
private func triangleKernel(upper: Bool) -> Kernel {
    { call in
        let x = call.arguments.tensor("self"), out = call.output, diagonal = call.arguments.int("diagonal")
        let (rows, columns) = (x.shape[x.rank - 2], x.shape[x.rank - 1])
        func keeps(_ i: Int) -> Bool {
            let (row, column) = ((i / Swift.max(columns, 1)) % Swift.max(rows, 1), i % Swift.max(columns, 1))
            return upper ? column - row >= diagonal : column - row <= diagonal
        }
        if x.dtype.isFloatingPoint {
            let a = x.doubleValues()
            out.setDoubleValues { keeps($0) ? a[$0] : 0 }
        } else {
            let a = x.int64Values()
            out.setInt64Values { keeps($0) ? a[$0] : 0 }
        }
    }
}

/// NaN is not above 0, so it takes the slope branch and stays NaN.
private let leakyReluKernel: Kernel = { call in
    let slope = call.arguments.double("negative_slope")
    try E.applyUnary("leaky_relu", call.arguments.tensor("self"), call.output, float: { $0 > 0 ? $0 : $0 * slope }, int: nil)
}

private let eluKernel: Kernel = { call in
    let (alpha, scale, inputScale) = (call.arguments.double("alpha"), call.arguments.double("scale"), call.arguments.double("input_scale"))
    try E.applyUnary("elu", call.arguments.tensor("self"), call.output,
                     float: { $0 > 0 ? scale * $0 : scale * alpha * expm1(inputScale * $0) }, int: nil)
}

private func sigmoid(_ x: Double) -> Double { E.sigmoid(x) }

/// The summed gates of every row: input_gates + hidden_gates + both biases (absent ones 0).
private func summedGates(_ call: KernelCall) -> (values: [Double], width: Int) {
    let ig = call.arguments.tensor("input_gates")
    var gates = ig.doubleValues()
    let hg = call.arguments.tensor("hidden_gates").doubleValues()
    let width = ig.shape[1]
    let biases = ["input_bias", "hidden_bias"].compactMap { call.arguments.optionalTensor($0)?.doubleValues() }
    for i in gates.indices {
        gates[i] += hg[i]
        for b in biases { gates[i] += b[i % width] }
    }
    return (gates, width)
}

private let fusedLstmCellKernel: Kernel = { call in
    let cx = call.arguments.tensor("cx"), c = cx.doubleValues()
    let (gates, width) = summedGates(call)
    let hidden = cx.shape[1]
    var hy = [Double](repeating: 0, count: c.count), cy = hy, workspace = [Double](repeating: 0, count: gates.count)
    for b in 0..<cx.shape[0] {
        for j in 0..<hidden {
            let row = b * width
            let i = sigmoid(gates[row + j]), f = sigmoid(gates[row + hidden + j])
            let g = tanh(gates[row + 2 * hidden + j]), o = sigmoid(gates[row + 3 * hidden + j])
            let next = f * c[b * hidden + j] + i * g
            cy[b * hidden + j] = next
            hy[b * hidden + j] = o * tanh(next)
            for (k, value) in [i, f, g, o].enumerated() { workspace[row + k * hidden + j] = value }
        }
    }
    call.outputs[0].setDoubleValues(hy)
    call.outputs[1].setDoubleValues(cy)
    call.outputs[2].setDoubleValues(workspace)
}

private let fusedGruCellKernel: Kernel = { call in
    let hxTensor = call.arguments.tensor("hx"), hx = hxTensor.doubleValues()
    let (batch, hidden) = (hxTensor.shape[0], hxTensor.shape[1])
    let ig = call.arguments.tensor("input_gates").doubleValues(), hg = call.arguments.tensor("hidden_gates").doubleValues()
    let bi = call.arguments.optionalTensor("input_bias")?.doubleValues(), bh = call.arguments.optionalTensor("hidden_bias")?.doubleValues()
    var hy = [Double](repeating: 0, count: hx.count), workspace = [Double](repeating: 0, count: batch * 4 * hidden)
    for b in 0..<batch {
        for j in 0..<hidden {
            // Gate k's pre-activation parts for column j: input side and hidden side.
            func input(_ k: Int) -> Double { ig[b * 3 * hidden + k * hidden + j] + (bi?[k * hidden + j] ?? 0) }
            func hiddenSide(_ k: Int) -> Double { hg[b * 3 * hidden + k * hidden + j] + (bh?[k * hidden + j] ?? 0) }
            let r = sigmoid(input(0) + hiddenSide(0)), z = sigmoid(input(1) + hiddenSide(1))
            let hn = hiddenSide(2)
            let n = tanh(input(2) + r * hn)
            hy[b * hidden + j] = (1 - z) * n + z * hx[b * hidden + j]
            for (k, value) in [r, z, n, hn].enumerated() { workspace[b * 4 * hidden + k * hidden + j] = value }
        }
    }
    call.outputs[0].setDoubleValues(hy)
    call.outputs[1].setDoubleValues(workspace)
}

/// Each query row on its own: scores, their maximum, the exponentials, the weighted sum
/// of values. A row whose scores are all -inf gives zeros and lse -inf.
private let fusedAttentionKernel: Kernel = { call in
    let args = call.arguments
    let q = args.tensor("query"), k = args.tensor("key"), v = args.tensor("value"), mask = args.optionalTensor("attn_mask")
    let (l, e) = (q.shape[q.rank - 2], q.shape[q.rank - 1]), s = k.shape[k.rank - 2], ev = v.shape[v.rank - 1]
    let batch = q.shape.dropLast(2).reduce(1, *)
    let (qv, kv, vv) = (q.doubleValues(), k.doubleValues(), v.doubleValues())
    let maskValues = mask?.doubleValues(), boolMask = mask?.dtype == .bool
    let (scale, p, causal) = (args.double("scale"), args.double("dropout_p"), args.bool("is_causal"))
    let seed = UInt64(bitPattern: Int64(args.int("seed")))
    let keptScale = p == 1 ? 0 : 1 / (1 - p)
    var out = [Double](repeating: 0, count: batch * l * ev), lse = [Double](repeating: 0, count: batch * l)
    for b in 0..<batch {
        for i in 0..<l {
            let row = b * l + i
            var scores = (0..<s).map { j -> Double in
                var dot = 0.0
                for d in 0..<e { dot += qv[row * e + d] * kv[(b * s + j) * e + d] }
                return dot * scale
            }
            for j in 0..<s {
                if causal, j > i { scores[j] = -.infinity }
                if let maskValues {
                    let m = maskValues[row * s + j]
                    scores[j] = boolMask ? (m != 0 ? scores[j] : -.infinity) : scores[j] + m
                }
            }
            let top = scores.reduce(-Double.infinity) { $0.isNaN || $1.isNaN ? .nan : Swift.max($0, $1) }
            if top == -.infinity {
                lse[row] = -.infinity
                continue
            }
            let weights = scores.map { exp($0 - top) }
            let total = weights.reduce(0, +)
            lse[row] = top + log(total)
            for j in 0..<s {
                let kept = p > 0 ? (dropoutKeeps(seed: seed, index: row * s + j, p: p) ? keptScale : 0) : 1
                let w = weights[j] / total * kept
                for d in 0..<ev { out[row * ev + d] += w * vv[(b * s + j) * ev + d] }
            }
        }
    }
    call.outputs[0].setDoubleValues(out)
    call.outputs[1].setDoubleValues(lse)
}
