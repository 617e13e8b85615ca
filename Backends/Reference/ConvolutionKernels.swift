import SwiftTorchCore

// Convolution as its definition: every output element is a sum over the kernel's taps.
// The three operators (forward, input gradient, weight gradient) walk the same taps and
// differ only in which of the three tensors the products land in. The meta rules
// (Sources/SwiftTorch/Ops/NN/ConvolutionOps.swift) have checked the shapes and stored
// stride, padding and dilation as (height, width) pairs.

let convolutionKernels: [(String, Kernel)] = [
    ("conv2d", conv2dKernel),
    ("conv2d_backward_input", conv2dBackwardInputKernel),
    ("conv2d_backward_weight", conv2dBackwardWeightKernel),
]

/// The sizes of one convolution. A 3-D (unbatched) image is a batch of one.
struct ConvolutionTaps {
    let batch, inChannels, inHeight, inWidth: Int
    let outChannels, kernelHeight, kernelWidth, outHeight, outWidth: Int
    let stride, padding, dilation: [Int]
    let groups: Int

    init(input: [Int], weight: [Int], output: [Int], _ args: Arguments) {
        batch = input.count == 4 ? input[0] : 1
        (inChannels, inHeight, inWidth) = (input[input.count - 3], input[input.count - 2], input[input.count - 1])
        (outChannels, kernelHeight, kernelWidth) = (weight[0], weight[2], weight[3])
        (outHeight, outWidth) = (output[output.count - 2], output[output.count - 1])
        stride = args.ints("stride")
        padding = args.ints("padding")
        dilation = args.ints("dilation")
        groups = args.int("groups")
    }

    /// Calls `body` with the row-major positions (input, weight, output) of every product
    /// `input[n, c, h, w] * weight[o, c', i, j]` that contributes to `output[n, o, oh, ow]`.
    func forEach(_ body: (_ input: Int, _ weight: Int, _ output: Int) -> Void) {
        let inPerGroup = inChannels / groups, outPerGroup = outChannels / groups
        for n in 0..<batch {
            for o in 0..<outChannels {
                let group = o / outPerGroup
                for oh in 0..<outHeight {
                    for ow in 0..<outWidth {
                        let output = ((n * outChannels + o) * outHeight + oh) * outWidth + ow
                        for c in 0..<inPerGroup {
                            let channel = group * inPerGroup + c
                            for i in 0..<kernelHeight {
                                let h = oh * stride[0] - padding[0] + i * dilation[0]
                                guard h >= 0, h < inHeight else { continue }
                                for j in 0..<kernelWidth {
                                    let w = ow * stride[1] - padding[1] + j * dilation[1]
                                    guard w >= 0, w < inWidth else { continue }
                                    body(((n * inChannels + channel) * inHeight + h) * inWidth + w,
                                         ((o * inPerGroup + c) * kernelHeight + i) * kernelWidth + j, output)
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

private let conv2dKernel: Kernel = { call in
    let args = call.arguments
    let input = args.tensor("input"), weight = args.tensor("weight")
    let taps = ConvolutionTaps(input: input.shape, weight: weight.shape, output: call.output.shape, args)
    let x = input.doubleValues(), w = weight.doubleValues()
    var out = [Double](repeating: 0, count: call.output.count)
    if let bias = args.optionalTensor("bias")?.doubleValues() {
        let plane = taps.outHeight * taps.outWidth
        for i in out.indices { out[i] = bias[(i / plane) % taps.outChannels] }
    }
    taps.forEach { xi, wi, oi in out[oi] += x[xi] * w[wi] }
    call.output.setDoubleValues(out)
}

private let conv2dBackwardInputKernel: Kernel = { call in
    let args = call.arguments
    let grad = args.tensor("grad_output"), weight = args.tensor("weight")
    let taps = ConvolutionTaps(input: call.output.shape, weight: weight.shape, output: grad.shape, args)
    let g = grad.doubleValues(), w = weight.doubleValues()
    var gradInput = [Double](repeating: 0, count: call.output.count)
    taps.forEach { xi, wi, oi in gradInput[xi] += g[oi] * w[wi] }
    call.output.setDoubleValues(gradInput)
}

private let conv2dBackwardWeightKernel: Kernel = { call in
    let args = call.arguments
    let grad = args.tensor("grad_output"), input = args.tensor("input")
    let taps = ConvolutionTaps(input: input.shape, weight: call.output.shape, output: grad.shape, args)
    let g = grad.doubleValues(), x = input.doubleValues()
    var gradWeight = [Double](repeating: 0, count: call.output.count)
    taps.forEach { xi, wi, oi in gradWeight[wi] += g[oi] * x[xi] }
    call.output.setDoubleValues(gradWeight)
}
