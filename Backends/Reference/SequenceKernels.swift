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
    ("_thnn_fused_lstm_cell", fusedLstmCellKernel), ("_thnn_fused_lstm_cell_backward_impl", fusedLstmCellBackwardKernel),
    ("_thnn_fused_gru_cell", fusedGruCellKernel), ("_thnn_fused_gru_cell_backward", fusedGruCellBackwardKernel),
    ("_lstm_layer", lstmLayerKernel),
    ("_lstm_layer_backward", lstmLayerBackwardKernel),
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
    let cx = call.arguments.tensor("cx")
    let (gates, _) = summedGates(call)
    let (hy, cy, workspace) = lstmCell(gates: gates, c: cx.doubleValues(), hidden: cx.shape[1])
    call.outputs[0].setDoubleValues(hy)
    call.outputs[1].setDoubleValues(cy)
    call.outputs[2].setDoubleValues(workspace)
}

/// The LSTM cell on summed gates [batch, 4 hidden] (i, f, g, o) and the state c [batch,
/// hidden]: h' = o * tanh(c'), c' = f * c + i * g, and the activated gates.
private func lstmCell(gates: [Double], c: [Double], hidden: Int) -> (h: [Double], c: [Double], workspace: [Double]) {
    var hy = [Double](repeating: 0, count: c.count), cy = hy, workspace = [Double](repeating: 0, count: gates.count)
    let width = 4 * hidden
    for b in 0..<(hidden == 0 ? 0 : c.count / hidden) {
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
    return (hy, cy, workspace)
}

/// Step by step, in visiting order: gates = input_gates[t] + h @ w_hh.T + bias, then the
/// cell; each step's h, c and activated gates go to their place in the outputs.
private let lstmLayerKernel: Kernel = { call in
    let args = call.arguments
    let input = args.tensor("input_gates"), hx = args.tensor("hx")
    let (steps, batch, hidden) = (input.shape[0], hx.shape[0], hx.shape[1])
    let width = 4 * hidden, gatesIn = input.doubleValues(), w = args.tensor("w_hh").doubleValues()
    let bias = args.optionalTensor("bias")?.doubleValues() ?? [Double](repeating: 0, count: width)
    var (h, c) = (hx.doubleValues(), args.tensor("cx").doubleValues())
    var hs = [Double](repeating: 0, count: steps * batch * hidden), cs = hs
    var workspaces = [Double](repeating: 0, count: steps * batch * width)
    let order = args.bool("reverse") ? Array((0..<steps).reversed()) : Array(0..<steps)
    for t in order {
        var gates = [Double](repeating: 0, count: batch * width)
        for b in 0..<batch {
            for r in 0..<width {
                var sum = gatesIn[(t * batch + b) * width + r] + bias[r]
                for k in 0..<hidden { sum += h[b * hidden + k] * w[r * hidden + k] }
                gates[b * width + r] = sum
            }
        }
        let next = lstmCell(gates: gates, c: c, hidden: hidden)
        (h, c) = (next.h, next.c)
        hs.replaceSubrange(t * batch * hidden ..< (t + 1) * batch * hidden, with: h)
        cs.replaceSubrange(t * batch * hidden ..< (t + 1) * batch * hidden, with: c)
        workspaces.replaceSubrange(t * batch * width ..< (t + 1) * batch * width, with: next.workspace)
    }
    call.outputs[0].setDoubleValues(hs)
    call.outputs[1].setDoubleValues(h)
    call.outputs[2].setDoubleValues(c)
    call.outputs[3].setDoubleValues(cs)
    call.outputs[4].setDoubleValues(workspaces)
}

/// Steps backwards from the last visited: the cell's gradient (as the fused cell
/// backward's) from the output's gradient plus what the later step sent to h and c, then
/// dh = dgates @ w_hh for the step before.
private let lstmLayerBackwardKernel: Kernel = { call in
    let args = call.arguments
    let cxTensor = args.tensor("cx"), csTensor = args.tensor("cs")
    let (steps, batch, hidden) = (csTensor.shape[0], cxTensor.shape[0], cxTensor.shape[1])
    let (width, size) = (4 * hidden, batch * hidden)
    let (cx, cs, ws, w) = (cxTensor.doubleValues(), csTensor.doubleValues(), args.tensor("workspace").doubleValues(), args.tensor("w_hh").doubleValues())
    let go = args.optionalTensor("grad_output")?.doubleValues()
    var dh = args.optionalTensor("grad_hn")?.doubleValues() ?? [Double](repeating: 0, count: size)
    var dc = args.optionalTensor("grad_cn")?.doubleValues() ?? [Double](repeating: 0, count: size)
    var dGates = [Double](repeating: 0, count: steps * batch * width)
    let reverse = args.bool("reverse")
    for t in (reverse ? Array(0..<steps) : Array((0..<steps).reversed())) {
        let previous = reverse ? t + 1 : t - 1
        for b in 0..<batch {
            for j in 0..<hidden {
                let at = (t * batch + b) * hidden + j, gate = (t * batch + b) * width + j
                let (i, f, g, o) = (ws[gate], ws[gate + hidden], ws[gate + 2 * hidden], ws[gate + 3 * hidden])
                let cPrev = (0..<steps).contains(previous) ? cs[(previous * batch + b) * hidden + j] : cx[b * hidden + j]
                let gh = dh[b * hidden + j] + (go?[at] ?? 0), tc = tanh(cs[at])
                let dcell = dc[b * hidden + j] + gh * o * (1 - tc * tc)
                dGates[gate] = dcell * g * i * (1 - i)
                dGates[gate + hidden] = dcell * cPrev * f * (1 - f)
                dGates[gate + 2 * hidden] = dcell * i * (1 - g * g)
                dGates[gate + 3 * hidden] = gh * tc * o * (1 - o)
                dc[b * hidden + j] = dcell * f
            }
        }
        for b in 0..<batch {
            for k in 0..<hidden {
                var sum = 0.0
                for r in 0..<width { sum += dGates[(t * batch + b) * width + r] * w[r * hidden + k] }
                dh[b * hidden + k] = sum
            }
        }
    }
    call.outputs[0].setDoubleValues(dGates)
    call.outputs[1].setDoubleValues(dh)
    call.outputs[2].setDoubleValues(dc)
}

/// From the saved gates: dc = grad_cy + grad_hy * o * (1 - tanh(cy)^2), then each gate's
/// derivative; absent output gradients are zeros.
private let fusedLstmCellBackwardKernel: Kernel = { call in
    let args = call.arguments
    let cxTensor = args.tensor("cx"), (batch, hidden) = (cxTensor.shape[0], cxTensor.shape[1])
    let (cx, cy, ws) = (cxTensor.doubleValues(), args.tensor("cy").doubleValues(), args.tensor("workspace").doubleValues())
    let gh = args.optionalTensor("grad_hy")?.doubleValues(), gc = args.optionalTensor("grad_cy")?.doubleValues()
    var gates = [Double](repeating: 0, count: ws.count), gradCx = [Double](repeating: 0, count: cx.count)
    for b in 0..<batch {
        for j in 0..<hidden {
            let (k, row) = (b * hidden + j, b * 4 * hidden)
            let (i, f, g, o) = (ws[row + j], ws[row + hidden + j], ws[row + 2 * hidden + j], ws[row + 3 * hidden + j])
            let t = tanh(cy[k]), dh = gh?[k] ?? 0
            let dc = (gc?[k] ?? 0) + dh * o * (1 - t * t)
            gates[row + j] = dc * g * i * (1 - i)
            gates[row + hidden + j] = dc * cx[k] * f * (1 - f)
            gates[row + 2 * hidden + j] = dc * i * (1 - g * g)
            gates[row + 3 * hidden + j] = dh * t * o * (1 - o)
            gradCx[k] = dc * f
        }
    }
    call.outputs[0].setDoubleValues(gates)
    call.outputs[1].setDoubleValues(gradCx)
    if args.bool("has_bias") {
        call.outputs[2].setDoubleValues { column in (0..<batch).reduce(0) { $0 + gates[$1 * 4 * hidden + column] } }
    }
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

/// From hx and the workspace [r, z, n, hn]: dn = grad_hy (1 - z) (1 - n^2) reaches the
/// hidden side of the n gate scaled by r.
private let fusedGruCellBackwardKernel: Kernel = { call in
    let args = call.arguments
    let hxTensor = args.tensor("hx"), (batch, hidden) = (hxTensor.shape[0], hxTensor.shape[1])
    let (gy, hx, ws) = (args.tensor("grad_hy").doubleValues(), hxTensor.doubleValues(), args.tensor("workspace").doubleValues())
    var input = [Double](repeating: 0, count: batch * 3 * hidden), hiddenGates = input, gradHx = [Double](repeating: 0, count: hx.count)
    for b in 0..<batch {
        for j in 0..<hidden {
            let (k, row, gates) = (b * hidden + j, b * 4 * hidden, b * 3 * hidden)
            let (r, z, n, hn) = (ws[row + j], ws[row + hidden + j], ws[row + 2 * hidden + j], ws[row + 3 * hidden + j])
            let dn = gy[k] * (1 - z) * (1 - n * n)
            let dr = dn * hn * r * (1 - r)
            let dz = gy[k] * (hx[k] - n) * z * (1 - z)
            (input[gates + j], input[gates + hidden + j], input[gates + 2 * hidden + j]) = (dr, dz, dn)
            (hiddenGates[gates + j], hiddenGates[gates + hidden + j], hiddenGates[gates + 2 * hidden + j]) = (dr, dz, dn * r)
            gradHx[k] = gy[k] * z
        }
    }
    call.outputs[0].setDoubleValues(input)
    call.outputs[1].setDoubleValues(hiddenGates)
    call.outputs[2].setDoubleValues(gradHx)
    if args.bool("has_bias") {
        for (output, gates) in [(call.outputs[3], input), (call.outputs[4], hiddenGates)] {
            output.setDoubleValues { column in (0..<batch).reduce(0) { $0 + gates[$1 * 3 * hidden + column] } }
        }
    }
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
