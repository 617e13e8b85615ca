import COpenMPKernels
import SwiftTorchCore

// embedding, one_hot and native_dropout (omp_nn.h). The meta rules
// (Sources/SwiftTorch/Ops/NN) have cast indices to int64 and checked them on the CPU; the
// C kernels check again, so a bad index can only ever throw.

let openMPEmbeddingKernels: [(String, Kernel)] = [
    ("embedding", { call in
        let indices = try DenseOperands.contiguous(call.arguments.tensor("input"), "embedding")
        let weight = try DenseOperands.contiguous(call.arguments.tensor("weight"), "embedding")
        let status = st_embedding(Int64(indices.count), ptr(indices), Int64(weight.shape[0]), Int64(weight.shape[1]),
                                  Int64(weight.dtype.itemSize), ReductionGeometry.pointer(weight, UInt8.self),
                                  ReductionGeometry.pointer(call.output, UInt8.self))
        if status == ST_ERR_INDEX {
            throw TorchError(.indexOutOfRange, "embedding: an index is out of range for a weight of \(weight.shape[0]) rows \(describe(shape: weight.shape))")
        }
        try ReductionGeometry.check(status, "embedding")
    }),
    ("one_hot", { call in
        let x = try DenseOperands.contiguous(call.arguments.tensor("self"), "one_hot")
        let classes = call.arguments.int("num_classes")
        let status = st_one_hot(Int64(x.count), ptr(x), Int64(classes), ptr(call.output))
        if status == ST_ERR_INDEX {
            throw TorchError(.indexOutOfRange, "one_hot: a class value is outside [0, \(classes))")
        }
        try ReductionGeometry.check(status, "one_hot")
    }),
    ("native_dropout", { call in
        let x = try DenseOperands.contiguous(call.arguments.tensor("input"), "dropout")
        let p = call.arguments.double("p"), scale = p == 1 ? 0 : 1 / (1 - p)
        let seed = UInt64(bitPattern: Int64(call.arguments.int("seed")))
        try DenseOperands.byDType("dropout", x.dtype,
            float32: { st_dropout_f32(Int64(x.count), ptr(x), p, scale, seed, ptr(call.output)) },
            float64: { st_dropout_f64(Int64(x.count), ptr(x), p, scale, seed, ptr(call.output)) })
    }),
]
