import COpenMPKernels
import SwiftTorchCore

// Fused backward kernels (omp_backward.h): threshold_backward on the elementwise row
// driver, the softmax backwards on the along-dim geometry, nll_loss_backward on contiguous
// copies of its small operands (targets, weights, grad_output).

/// Registered for float32 and float64.
let openMPBackwardKernels: [(String, Kernel)] = [
    ("threshold_backward", thresholdBackward),
    ("_softmax_backward_data", softmaxBackward(log: false)),
    ("_log_softmax_backward_data", softmaxBackward(log: true)),
    ("nll_loss_backward", nllLossBackward),
]

private typealias RG = ReductionGeometry

private let thresholdBackward: Kernel = { call in
    let grad = call.arguments.tensor("grad_output"), x = call.arguments.tensor("self"), out = call.output
    try ElementwiseOMP.require("threshold_backward", [grad, x], shape: out.shape, dtype: out.dtype)
    let threshold = call.arguments.double("threshold")
    let status = StridedLoop.run(out.shape, [StridedOperand(out), StridedOperand(grad), StridedOperand(x)]) { g, p in
        st_threshold_backward(StridedLoop.code(out.dtype), g, p[0], p[1], p[2], threshold)
    }
    try ElementwiseOMP.check("threshold_backward", status, [out.dtype])
}

private func softmaxBackward(log: Bool) -> Kernel {
    { call in
        let args = call.arguments
        let name = args.schema.name
        let g = args.tensor("grad_output"), y = args.tensor("output")
        // The C kernel writes the compute dtype; another input_dtype (a softmax taken with
        // `dtype:`) goes through a scratch tensor and a conversion.
        let out = call.output.dtype == y.dtype ? call.output : try Tensor(zerosOnCPU: y.shape, dtype: y.dtype)
        let dim = args.int("dim")
        var outer: [GeometryDim] = []
        for d in 0..<y.rank where d != dim { outer.append(GeometryDim(y.shape[d], [g.strides[d], y.strides[d], out.strides[d]])) }
        let inner = y.rank == 0 ? [GeometryDim(1, [0, 0, 0])] : [GeometryDim(y.shape[dim], [g.strides[dim], y.strides[dim], out.strides[dim]])]
        try RG.with(outer: RG.coalesce(outer), inner: inner, name) { geometry in
            switch y.dtype {
            case .float32:
                try RG.check(st_softmax_backward_f32(log ? 1 : 0, RG.pointer(g, Float.self), RG.pointer(y, Float.self), geometry, RG.pointer(out, Float.self)), name)
            case .float64:
                try RG.check(st_softmax_backward_f64(log ? 1 : 0, RG.pointer(g, Double.self), RG.pointer(y, Double.self), geometry, RG.pointer(out, Double.self)), name)
            default:
                throw RG.unsupported(name, y.dtype)
            }
        }
        if out !== call.output { call.output.setDoubleValues(out.doubleValues()) }
    }
}

private let nllLossBackward: Kernel = { call in
    let args = call.arguments
    let name = args.schema.name
    let x = args.tensor("self"), out = call.output
    let classDim = x.rank == 1 ? 0 : 1
    let samples = x.rank == 1 ? 1 : x.shape[0]
    let inner = x.shape.dropFirst(classDim + 1).reduce(1, *)
    let targets = args.tensor("target").int64Values()
    let grad = args.tensor("grad_output")
    let reduction: Int32 = switch args.string("reduction") {
    case "none": 0
    case "sum": 2
    default: 1
    }
    let total = args.optionalTensor("total_weight")?.doubleValues()[0]
    var bad: Int64 = 0
    let status = targets.withUnsafeBufferPointer { t -> Int32 in
        var p = st_nll_backward(samples: Int64(samples), classes: Int64(x.shape[classDim]), inner: Int64(inner),
                                target: t.baseAddress, ignore_index: Int64(args.int("ignore_index")), reduction: reduction,
                                grad_per_sample: reduction == 0 ? 1 : 0, total_given: total == nil ? 0 : 1, total_weight: total ?? 0)
        switch x.dtype {
        case .float32:
            let g = grad.doubleValues().map(Float.init), w = args.optionalTensor("weight")?.doubleValues().map(Float.init)
            return g.withUnsafeBufferPointer { gp in
                optionalBuffer(w) { wp in st_nll_loss_backward_f32(&p, gp.baseAddress, wp, RG.pointer(out, Float.self), &bad) }
            }
        case .float64:
            let g = grad.doubleValues(), w = args.optionalTensor("weight")?.doubleValues()
            return g.withUnsafeBufferPointer { gp in
                optionalBuffer(w) { wp in st_nll_loss_backward_f64(&p, gp.baseAddress, wp, RG.pointer(out, Double.self), &bad) }
            }
        default:
            return Int32(ST_ERR_ARGUMENT)
        }
    }
    if status == ST_ERR_INDEX {
        throw TorchError(.indexOutOfRange, "\(name): target class \(bad) is out of range for \(x.shape[classDim]) classes")
    }
    if status == ST_ERR_ARGUMENT { throw RG.unsupported(name, x.dtype) }
    try RG.check(status, name)
}

/// Runs `body` with the array's base address, or nil for no array.
private func optionalBuffer<T, R>(_ values: [T]?, _ body: (UnsafePointer<T>?) -> R) -> R {
    guard let values else { return body(nil) }
    return values.withUnsafeBufferPointer { body($0.baseAddress) }
}
