import COpenMPKernels
import SwiftTorchCore

// max_pool2d_with_indices and its backward, avg_pool2d and its backward over image planes (omp_nn.h). The
// meta rules (Sources/SwiftTorch/Ops/NN/PoolingOps.swift) have stored every window
// argument as a (height, width) pair and sized the output.

let openMPPoolingKernels: [(String, Kernel)] = [
    ("max_pool2d_with_indices", { call in
        let x = try DenseOperands.contiguous(call.arguments.tensor("self"), "max_pool2d")
        var p = poolGeometry(input: x.shape, output: call.output.shape, call.arguments)
        let indices: UnsafeMutablePointer<Int64> = ptr(call.outputs[1])
        try DenseOperands.byDType("max_pool2d", x.dtype,
            float32: { st_max_pool2d_f32(&p, ptr(x), ptr(call.output), indices) },
            float64: { st_max_pool2d_f64(&p, ptr(x), ptr(call.output), indices) })
    }),
    ("max_pool2d_with_indices_backward", { call in
        let g = try DenseOperands.contiguous(call.arguments.tensor("grad_output"), "max_pool2d_with_indices_backward")
        let indices = try DenseOperands.contiguous(call.arguments.tensor("indices"), "max_pool2d_with_indices_backward")
        let input = call.output.shape, output = g.shape
        let planes = Int64(input.dropLast(2).reduce(1, *))
        let inPlane = Int64(input[input.count - 2] * input[input.count - 1]), outPlane = Int64(output[output.count - 2] * output[output.count - 1])
        let at: UnsafeMutablePointer<Int64> = ptr(indices)
        do {
            try DenseOperands.byDType("max_pool2d_with_indices_backward", g.dtype,
                float32: { st_max_pool2d_backward_f32(planes, inPlane, outPlane, ptr(g), at, ptr(call.output)) },
                float64: { st_max_pool2d_backward_f64(planes, inPlane, outPlane, ptr(g), at, ptr(call.output)) })
        } catch let error as TorchError where error.kind == .indexOutOfRange {
            throw TorchError(.indexOutOfRange, "max_pool2d_with_indices_backward: an index is out of range for a plane of \(inPlane) elements")
        }
    }),
    ("avg_pool2d", { call in
        let x = try DenseOperands.contiguous(call.arguments.tensor("self"), "avg_pool2d")
        var p = poolGeometry(input: x.shape, output: call.output.shape, call.arguments)
        try DenseOperands.byDType("avg_pool2d", x.dtype,
            float32: { st_avg_pool2d_f32(&p, ptr(x), ptr(call.output)) },
            float64: { st_avg_pool2d_f64(&p, ptr(x), ptr(call.output)) })
    }),
    ("avg_pool2d_backward", { call in
        let g = try DenseOperands.contiguous(call.arguments.tensor("grad_output"), "avg_pool2d_backward")
        var p = poolGeometry(input: call.output.shape, output: g.shape, call.arguments)
        try DenseOperands.byDType("avg_pool2d_backward", g.dtype,
            float32: { st_avg_pool2d_backward_f32(&p, ptr(g), ptr(call.output)) },
            float64: { st_avg_pool2d_backward_f64(&p, ptr(g), ptr(call.output)) })
    }),
]

/// Every dim before the last two is a plane; avg_pool2d has no dilation argument.
private func poolGeometry(input: [Int], output: [Int], _ args: Arguments) -> st_pool2d {
    let kernel = args.ints("kernel_size"), stride = args.ints("stride"), padding = args.ints("padding")
    let dilation = args.schema.arguments.contains { $0.name == "dilation" } ? args.ints("dilation") : [1, 1]
    let averaging = args.schema.arguments.contains { $0.name == "count_include_pad" }
    return st_pool2d(planes: Int64(input.dropLast(2).reduce(1, *)), in_h: Int64(input[input.count - 2]), in_w: Int64(input[input.count - 1]),
                     out_h: Int64(output[output.count - 2]), out_w: Int64(output[output.count - 1]),
                     kernel_h: Int64(kernel[0]), kernel_w: Int64(kernel[1]), stride_h: Int64(stride[0]), stride_w: Int64(stride[1]),
                     pad_h: Int64(padding[0]), pad_w: Int64(padding[1]), dilation_h: Int64(dilation[0]), dilation_w: Int64(dilation[1]),
                     count_include_pad: averaging && args.bool("count_include_pad") ? 1 : 0,
                     divisor_override: averaging ? Int64(args.optionalInt("divisor_override") ?? 0) : 0)
}
