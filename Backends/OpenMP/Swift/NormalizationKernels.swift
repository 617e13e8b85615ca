import COpenMPKernels
import SwiftTorchCore

// native_batch_norm and layer_norm (omp_nn.h). The meta rules
// (Sources/SwiftTorch/Ops/NN/NormalizationOps.swift) have checked the shapes and cast
// weight, bias and running statistics to the input's dtype.

let openMPNormalizationKernels: [(String, Kernel)] = [
    ("native_batch_norm", { call in
        let args = call.arguments, op = "batch_norm"
        let x = try DenseOperands.contiguous(args.tensor("input"), op)
        let w = try DenseOperands.optional(args.optionalTensor("weight"), op), b = try DenseOperands.optional(args.optionalTensor("bias"), op)
        let mean = try DenseOperands.optional(args.optionalTensor("running_mean"), op)
        let variance = try DenseOperands.optional(args.optionalTensor("running_var"), op)
        let (n, c) = (Int64(x.shape[0]), Int64(x.shape[1]))
        let inner = Int64(x.shape.dropFirst(2).reduce(1, *))
        let training: Int32 = args.bool("training") ? 1 : 0, eps = args.double("eps")
        let saved = training == 1 ? (call.outputs[1], call.outputs[2]) : nil
        try DenseOperands.byDType(op, x.dtype,
            float32: { st_batch_norm_f32(n, c, inner, ptr(x), ptr(w), ptr(b), ptr(mean), ptr(variance), training, eps, ptr(call.output), ptr(saved?.0), ptr(saved?.1)) },
            float64: { st_batch_norm_f64(n, c, inner, ptr(x), ptr(w), ptr(b), ptr(mean), ptr(variance), training, eps, ptr(call.output), ptr(saved?.0), ptr(saved?.1)) })
    }),
    ("layer_norm", { call in
        let args = call.arguments, op = "layer_norm"
        let x = try DenseOperands.contiguous(args.tensor("input"), op)
        let w = try DenseOperands.optional(args.optionalTensor("weight"), op), b = try DenseOperands.optional(args.optionalTensor("bias"), op)
        let columns = args.ints("normalized_shape").reduce(1, *)
        let rows = Int64(columns == 0 ? 0 : x.count / columns), eps = args.double("eps")
        try DenseOperands.byDType(op, x.dtype,
            float32: { st_layer_norm_f32(rows, Int64(columns), ptr(x), ptr(w), ptr(b), eps, ptr(call.output)) },
            float64: { st_layer_norm_f64(rows, Int64(columns), ptr(x), ptr(w), ptr(b), eps, ptr(call.output)) })
    }),
]
