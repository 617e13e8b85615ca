import COpenMPKernels
import SwiftTorchCore

/// The matrix product that convolution is lowered onto (im2col, then a batched GEMM; see
/// omp_nn.h). The openmp backend uses its own GEMM; the blas backend registers the same
/// kernels with OpenBLAS's.
public struct ConvolutionGEMM: @unchecked Sendable {
    public let float32: st_gemm_f32_fn
    public let float64: st_gemm_f64_fn

    public init(float32: st_gemm_f32_fn, float64: st_gemm_f64_fn) {
        self.float32 = float32
        self.float64 = float64
    }

    /// The backend's packed, register-tiled GEMM (omp_matmul.h).
    public static let openMP = ConvolutionGEMM(float32: { st_gemm_f32($0, $1, $2, $3) }, float64: { st_gemm_f64($0, $1, $2, $3) })
}

extension OpenMPBackend {
    /// conv2d and its two backward operators on `gemm`. The meta rules
    /// (Sources/SwiftTorch/Ops/NN/ConvolutionOps.swift) have checked the shapes and dtypes
    /// and stored stride, padding and dilation as (height, width) pairs.
    public static func convolutionKernels(gemm: ConvolutionGEMM) -> [(String, Kernel)] {
        [
            ("conv2d", { call in
                let args = call.arguments, op = "conv2d"
                let x = try DenseOperands.contiguous(args.tensor("input"), op), w = try DenseOperands.contiguous(args.tensor("weight"), op)
                let bias = try DenseOperands.optional(args.optionalTensor("bias"), op)
                var p = geometry(input: x.shape, weight: w.shape, output: call.output.shape, args)
                try DenseOperands.byDType(op, x.dtype,
                    float32: { st_conv2d_forward_f32(&p, ptr(x), ptr(w), ptr(bias), ptr(call.output), gemm.float32) },
                    float64: { st_conv2d_forward_f64(&p, ptr(x), ptr(w), ptr(bias), ptr(call.output), gemm.float64) })
            }),
            ("conv2d_backward_input", { call in
                let args = call.arguments, op = "conv2d_backward_input"
                let g = try DenseOperands.contiguous(args.tensor("grad_output"), op), w = try DenseOperands.contiguous(args.tensor("weight"), op)
                var p = geometry(input: call.output.shape, weight: w.shape, output: g.shape, args)
                try DenseOperands.byDType(op, g.dtype,
                    float32: { st_conv2d_backward_input_f32(&p, ptr(g), ptr(w), ptr(call.output), gemm.float32) },
                    float64: { st_conv2d_backward_input_f64(&p, ptr(g), ptr(w), ptr(call.output), gemm.float64) })
            }),
            ("conv2d_backward_weight", { call in
                let args = call.arguments, op = "conv2d_backward_weight"
                let g = try DenseOperands.contiguous(args.tensor("grad_output"), op), x = try DenseOperands.contiguous(args.tensor("input"), op)
                var p = geometry(input: x.shape, weight: call.output.shape, output: g.shape, args)
                try DenseOperands.byDType(op, g.dtype,
                    float32: { st_conv2d_backward_weight_f32(&p, ptr(g), ptr(x), ptr(call.output), gemm.float32) },
                    float64: { st_conv2d_backward_weight_f64(&p, ptr(g), ptr(x), ptr(call.output), gemm.float64) })
            }),
        ]
    }

    /// A 3-D (unbatched) image is a batch of one.
    private static func geometry(input: [Int], weight: [Int], output: [Int], _ args: Arguments) -> st_conv2d {
        let stride = args.ints("stride"), padding = args.ints("padding"), dilation = args.ints("dilation")
        let i = input.map(Int64.init), w = weight.map(Int64.init), o = output.map(Int64.init)
        return st_conv2d(batch: input.count == 4 ? i[0] : 1, in_channels: i[i.count - 3], in_h: i[i.count - 2], in_w: i[i.count - 1],
                         out_channels: w[0], kernel_h: w[2], kernel_w: w[3], out_h: o[o.count - 2], out_w: o[o.count - 1],
                         stride_h: Int64(stride[0]), stride_w: Int64(stride[1]), pad_h: Int64(padding[0]), pad_w: Int64(padding[1]),
                         dilation_h: Int64(dilation[0]), dilation_w: Int64(dilation[1]), groups: Int64(args.int("groups")))
    }
}
