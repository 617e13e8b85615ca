import SwiftTorchCore

// Batch and layer normalisation: mean and biased variance in two passes, then
// (x - mean) / sqrt(var + eps) * weight + bias. The meta rules
// (Sources/SwiftTorch/Ops/NN/NormalizationOps.swift) have checked the shapes and cast
// weight, bias and running statistics to the input's dtype.

let normalizationKernels: [(String, Kernel)] = [
    ("native_batch_norm", batchNormKernel),
    ("layer_norm", layerNormKernel),
]

/// Mean and biased variance of `values`.
private func statistics<C: Collection<Double>>(_ values: C) -> (mean: Double, variance: Double) {
    let n = Double(values.count)
    let mean = values.reduce(0, +) / n
    return (mean, values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / n)
}

private let batchNormKernel: Kernel = { call in
    let args = call.arguments
    let input = args.tensor("input")
    let x = input.doubleValues()
    let (batch, channels) = (input.shape[0], input.shape[1])
    let inner = input.shape.dropFirst(2).reduce(1, *)
    let weight = args.optionalTensor("weight")?.doubleValues(), bias = args.optionalTensor("bias")?.doubleValues()
    let training = args.bool("training")
    var means: [Double] = [], variances: [Double] = []
    if training {
        for c in 0..<channels {
            var values: [Double] = []
            for n in 0..<batch {
                let start = (n * channels + c) * inner
                values += x[start..<(start + inner)]
            }
            let s = statistics(values)
            means.append(s.mean)
            variances.append(s.variance)
        }
        call.outputs[1].setDoubleValues(means)
        call.outputs[2].setDoubleValues(variances)
    } else {
        means = args.tensor("running_mean").doubleValues()
        variances = args.tensor("running_var").doubleValues()
    }
    let eps = args.double("eps")
    var out = [Double](repeating: 0, count: x.count)
    for i in x.indices {
        let c = (i / inner) % channels
        let normalized = (x[i] - means[c]) / (variances[c] + eps).squareRoot()
        out[i] = normalized * (weight?[c] ?? 1) + (bias?[c] ?? 0)
    }
    call.outputs[0].setDoubleValues(out)
}

private let layerNormKernel: Kernel = { call in
    let args = call.arguments
    let x = args.tensor("input").doubleValues()
    let columns = args.ints("normalized_shape").reduce(1, *)
    let weight = args.optionalTensor("weight")?.doubleValues(), bias = args.optionalTensor("bias")?.doubleValues()
    let eps = args.double("eps")
    var out = [Double](repeating: 0, count: x.count)
    for start in stride(from: 0, to: x.count, by: Swift.max(columns, 1)) {
        let row = x[start..<(start + columns)]
        let s = statistics(row)
        for j in 0..<columns {
            out[start + j] = (row[start + j] - s.mean) / (s.variance + eps).squareRoot() * (weight?[j] ?? 1) + (bias?[j] ?? 0)
        }
    }
    call.output.setDoubleValues(out)
}
