import SwiftTorchCore

// Pooling over planes (every dim before the last two), following PyTorch's CPU kernels
// (aten/src/ATen/native/cpu/MaxPoolKernel.cpp, AvgPoolKernel.cpp). The meta rules
// (Sources/SwiftTorch/Ops/NN/PoolingOps.swift) have stored kernel_size, stride, padding and
// dilation as (height, width) pairs and sized the output.

let poolingKernels: [(String, Kernel)] = [
    ("max_pool2d_with_indices", maxPool2dKernel),
    ("max_pool2d_with_indices_backward", maxPool2dBackwardKernel),
    ("avg_pool2d", avgPool2dKernel),
    ("avg_pool2d_backward", avgPool2dBackwardKernel),
]

/// One pooling call's sizes, from its arguments and the input and output shapes.
struct PoolingWindows {
    let planes, inHeight, inWidth, outHeight, outWidth: Int
    let kernel, stride, padding: [Int]

    init(input: [Int], output: [Int], _ args: Arguments) {
        planes = input.dropLast(2).reduce(1, *)
        (inHeight, inWidth) = (input[input.count - 2], input[input.count - 1])
        (outHeight, outWidth) = (output[output.count - 2], output[output.count - 1])
        kernel = args.ints("kernel_size")
        stride = args.ints("stride")
        padding = args.ints("padding")
    }

    /// avg_pool2d's window at (oh, ow), clipped to the input, and its divisor.
    func averageWindow(_ oh: Int, _ ow: Int, _ args: Arguments) -> (rows: Range<Int>, columns: Range<Int>, divisor: Int) {
        var h0 = oh * stride[0] - padding[0], w0 = ow * stride[1] - padding[1]
        var h1 = Swift.min(h0 + kernel[0], inHeight + padding[0]), w1 = Swift.min(w0 + kernel[1], inWidth + padding[1])
        let paddedSize = (h1 - h0) * (w1 - w0)
        (h0, w0) = (Swift.max(h0, 0), Swift.max(w0, 0))
        (h1, w1) = (Swift.min(h1, inHeight), Swift.min(w1, inWidth))
        let rows = h0..<Swift.max(h0, h1), columns = w0..<Swift.max(w0, w1)
        let divisor = args.optionalInt("divisor_override")
            ?? (args.bool("count_include_pad") ? paddedSize : rows.count * columns.count)
        return (rows, columns, divisor)
    }
}

private let maxPool2dKernel: Kernel = { call in
    let args = call.arguments
    let input = args.tensor("self")
    let p = PoolingWindows(input: input.shape, output: call.output.shape, args)
    let dilation = args.ints("dilation")
    let x = input.doubleValues()
    var values: [Double] = [], indices: [Int64] = []
    values.reserveCapacity(call.output.count)
    indices.reserveCapacity(call.output.count)
    for plane in 0..<p.planes {
        let base = plane * p.inHeight * p.inWidth
        for oh in 0..<p.outHeight {
            for ow in 0..<p.outWidth {
                // Tap by tap: the window's end, start + kernel * dilation, can overflow when a
                // 1-tap window has a huge dilation (valid: the meta rule bounds only
                // dilation * (kernel - 1), the reach of the last tap).
                let rows = (0..<p.kernel[0]).map { oh * p.stride[0] - p.padding[0] + $0 * dilation[0] }
                    .filter { $0 >= 0 && $0 < p.inHeight }
                let columns = (0..<p.kernel[1]).map { ow * p.stride[1] - p.padding[1] + $0 * dilation[1] }
                    .filter { $0 >= 0 && $0 < p.inWidth }
                // PyTorch's rule (`val > maxval || isnan(val)`): the first maximum in row-major
                // order wins, and every NaN wins, so the last NaN's index is reported.
                var best = -Double.infinity
                var at = (rows.first ?? 0) * p.inWidth + (columns.first ?? 0)
                for h in rows {
                    for w in columns {
                        let v = x[base + h * p.inWidth + w]
                        if v > best || v.isNaN {
                            best = v
                            at = h * p.inWidth + w
                        }
                    }
                }
                values.append(best)
                indices.append(Int64(at))
            }
        }
    }
    call.outputs[0].setDoubleValues(values)
    call.outputs[1].setInt64Values(indices)
}

/// max_pool2d's adjoint: each gradient value added, in output order, at the input position
/// its plane's index names (what scatter_add into zeros at those indices gives).
private let maxPool2dBackwardKernel: Kernel = { call in
    let args = call.arguments
    let grad = args.tensor("grad_output"), indices = args.tensor("indices")
    let p = PoolingWindows(input: call.output.shape, output: grad.shape, args)
    let g = grad.doubleValues(), at = indices.int64Values()
    let inPlane = p.inHeight * p.inWidth, outPlane = p.outHeight * p.outWidth
    var gradInput = [Double](repeating: 0, count: call.output.count)
    for plane in 0..<p.planes {
        for o in 0..<outPlane {
            let i = Int(at[plane * outPlane + o])
            guard i >= 0, i < inPlane else {
                throw TorchError(.indexOutOfRange, "max_pool2d_with_indices_backward: index \(i) is out of range for a plane of \(inPlane) elements")
            }
            gradInput[plane * inPlane + i] += g[plane * outPlane + o]
        }
    }
    call.output.setDoubleValues(gradInput)
}

private let avgPool2dKernel: Kernel = { call in
    let args = call.arguments
    let input = args.tensor("self")
    let p = PoolingWindows(input: input.shape, output: call.output.shape, args)
    let x = input.doubleValues()
    var out: [Double] = []
    out.reserveCapacity(call.output.count)
    for plane in 0..<p.planes {
        let base = plane * p.inHeight * p.inWidth
        for oh in 0..<p.outHeight {
            for ow in 0..<p.outWidth {
                let window = p.averageWindow(oh, ow, args)
                var sum = 0.0
                for h in window.rows { for w in window.columns { sum += x[base + h * p.inWidth + w] } }
                out.append(window.rows.isEmpty || window.columns.isEmpty ? 0 : sum / Double(window.divisor))
            }
        }
    }
    call.output.setDoubleValues(out)
}

private let avgPool2dBackwardKernel: Kernel = { call in
    let args = call.arguments
    let grad = args.tensor("grad_output")
    let p = PoolingWindows(input: call.output.shape, output: grad.shape, args)
    let g = grad.doubleValues()
    var gradInput = [Double](repeating: 0, count: call.output.count)
    for plane in 0..<p.planes {
        let base = plane * p.inHeight * p.inWidth
        for oh in 0..<p.outHeight {
            for ow in 0..<p.outWidth {
                let window = p.averageWindow(oh, ow, args)
                let share = g[(plane * p.outHeight + oh) * p.outWidth + ow] / Double(window.divisor)
                for h in window.rows { for w in window.columns { gradInput[base + h * p.inWidth + w] += share } }
            }
        }
    }
    call.output.setDoubleValues(gradInput)
}
