import SwiftTorchCore
#if canImport(Glibc)
import Glibc
#endif

// Losses. The meta rules (Sources/SwiftTorch/Ops/LossOps.swift) have validated `reduction`,
// broadcast and cast mse_loss's and binary_cross_entropy_with_logits' operands (weight and
// pos_weight included) to one float shape, cast class weights to the input's dtype, class
// indices to int64 (checking their range) and probability targets to the input's dtype.
// Formulas follow PyTorch's ATen implementations (LossNLL.cpp, Loss.cpp).

let lossKernels: [(String, Kernel)] = [
    ("mse_loss", mseLossKernel),
    ("cross_entropy", classificationKernel(logSoftmaxFirst: true)),
    ("nll_loss", classificationKernel(logSoftmaxFirst: false)),
    ("binary_cross_entropy_with_logits", bceWithLogitsKernel),
]

/// Applies an elementwise loss's reduction: "none" keeps every term, "sum" adds them and
/// "mean" divides by their count (NaN for none, as PyTorch's mean of an empty tensor).
private func reduceElementwise(_ terms: [Double], _ call: KernelCall) {
    switch call.arguments.string("reduction") {
    case "none": call.output.setDoubleValues(terms)
    case "sum": storeScalar(doubleSum(terms), into: call.output)
    default: storeScalar(doubleSum(terms) / Double(terms.count), into: call.output)
    }
}

private let mseLossKernel: Kernel = { call in
    let x = call.arguments.tensor("self").doubleValues()
    let t = call.arguments.tensor("target").doubleValues()
    reduceElementwise(zip(x, t).map { ($0 - $1) * ($0 - $1) }, call)
}

/// (1 - t) * x - log_weight * log_sigmoid(x), with log_weight = 1 + (pos_weight - 1) * t and
/// -log_sigmoid(x) = log1p(exp(-|x|)) + max(-x, 0) (exact for any x: logits of ±1e4 stay
/// finite), times `weight`.
private let bceWithLogitsKernel: Kernel = { call in
    let args = call.arguments
    let x = args.tensor("self").doubleValues(), t = args.tensor("target").doubleValues()
    let w = args.optionalTensor("weight")?.doubleValues()
    let pw = args.optionalTensor("pos_weight")?.doubleValues()
    var terms: [Double] = []
    terms.reserveCapacity(x.count)
    for i in x.indices {
        let negLogSigmoid = log1p(exp(-abs(x[i]))) + Swift.max(-x[i], 0)
        let logWeight = pw.map { 1 + ($0[i] - 1) * t[i] } ?? 1
        let loss = (1 - t[i]) * x[i] + logWeight * negLogSigmoid
        terms.append(w.map { loss * $0[i] } ?? loss)
    }
    reduceElementwise(terms, call)
}

/// cross_entropy (`logSoftmaxFirst`: the input holds logits) and nll_loss (it holds
/// log-probabilities). The class dim is 0 for a 1-D input and 1 otherwise; every other
/// position is one sample, in the target's (and unreduced output's) row-major order.
private func classificationKernel(logSoftmaxFirst: Bool) -> Kernel {
    { call in
        let args = call.arguments
        let input = args.tensor("self"), target = args.tensor("target")
        let classDim = input.rank == 1 ? 0 : 1
        let plan = ReductionPlan(shape: input.shape, reducing: [classDim])
        let values = input.doubleValues()
        // One row of class log-probabilities per sample.
        let logp = plan.groups(logSoftmaxFirst ? plan.transform(values, logSoftmax) : values)
        let weight = args.optionalTensor("weight")?.doubleValues()
        let smoothing = logSoftmaxFirst ? args.double("label_smoothing") : 0
        let classes = plan.groupSize
        if weight != nil && weight?.count != classes {
            throw TorchError(.shapeMismatch, "internal: class weight has \(weight?.count ?? 0) entries for \(classes) classes")
        }
        if target.dtype.isFloatingPoint {
            try probabilityTargetLoss(call, logp: logp, probabilities: plan.groups(target.doubleValues()),
                                      weight: weight, smoothing: smoothing)
        } else {
            try classIndexLoss(call, logp: logp, targets: target.int64Values(), weight: weight, smoothing: smoothing)
        }
    }
}

/// Class-index targets, as PyTorch's nll_loss plus cross_entropy's label smoothing:
/// loss = (1 - ls) * nll + ls / C * smooth, where per sample nll = -w[t] * logp[t] and
/// smooth = -sum_c w[c] * logp[c]; ignored samples contribute 0 to both. "mean" divides both
/// sums by the total weight w[t] of the non-ignored samples (their count without weights),
/// so no non-ignored sample gives 0 / 0 = NaN.
private func classIndexLoss(_ call: KernelCall, logp: [[Double]], targets: [Int64], weight: [Double]?,
                            smoothing: Double) throws {
    let args = call.arguments
    let ignore = Int64(args.int("ignore_index"))
    guard targets.count == logp.count else {
        throw TorchError(.shapeMismatch, "internal: \(targets.count) targets for \(logp.count) samples")
    }
    var nll: [Double] = [], smooth: [Double] = []
    var totalWeight = 0.0
    for (row, t) in zip(logp, targets) {
        if t == ignore {
            nll.append(0); smooth.append(0)
            continue
        }
        guard t >= 0, t < Int64(row.count) else {
            throw TorchError(.indexOutOfRange, "\(args.schema.name): target class \(t) is out of range for \(row.count) classes")
        }
        let w = weight?[Int(t)] ?? 1
        nll.append(-w * row[Int(t)])
        totalWeight += w
        // Computed only when used: 0 * inf (a class with logit -inf) would be NaN.
        if smoothing > 0 {
            var s = 0.0
            for c in row.indices { s -= (weight?[c] ?? 1) * row[c] }
            smooth.append(s)
        }
    }
    func reduced(_ terms: [Double]) -> [Double] {
        switch args.string("reduction") {
        case "none": return terms
        case "sum": return [doubleSum(terms)]
        default: return [doubleSum(terms) / totalWeight]
        }
    }
    var loss = reduced(nll)
    if smoothing > 0 {
        let classes = Double(logp.first?.count ?? 0)
        loss = zip(loss, reduced(smooth)).map { (1 - smoothing) * $0 + $1 * (smoothing / classes) }
    }
    call.output.setDoubleValues(loss)
}

/// Probability targets (cross_entropy only): per sample -sum_c w[c] * p'[c] * logp[c] with
/// p' = p * (1 - ls) + ls / C when smoothing. "mean" divides by the number of samples
/// (numel / C), NaN for an empty input, as PyTorch.
private func probabilityTargetLoss(_ call: KernelCall, logp: [[Double]], probabilities: [[Double]],
                                   weight: [Double]?, smoothing: Double) throws {
    guard probabilities.count == logp.count else {
        throw TorchError(.shapeMismatch, "internal: probability targets do not match the input")
    }
    var terms: [Double] = []
    var elementCount = 0
    for (row, p) in zip(logp, probabilities) {
        let classes = Double(row.count)
        var s = 0.0
        for c in row.indices {
            let target = smoothing > 0 ? p[c] * (1 - smoothing) + smoothing / classes : p[c]
            s -= row[c] * target * (weight?[c] ?? 1)
        }
        terms.append(s)
        elementCount += row.count
    }
    switch call.arguments.string("reduction") {
    case "none": call.output.setDoubleValues(terms)
    case "sum": storeScalar(doubleSum(terms), into: call.output)
    default: storeScalar(elementCount == 0 ? .nan : doubleSum(terms) / Double(terms.count), into: call.output)
    }
}
