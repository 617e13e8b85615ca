import COpenMPKernels
import SwiftTorchCore

// Losses. The meta rules have validated `reduction`, broadcast and cast mse_loss's and
// binary_cross_entropy_with_logits' operands (weight and pos_weight included) to one float
// shape, cast class weights to the input's dtype, class indices to int64 (range-checked)
// and probability targets to the input's dtype.

let openMPLossKernels: [(String, Kernel)] = [
    ("mse_loss", elementwiseLoss),
    ("binary_cross_entropy_with_logits", elementwiseLoss),
    ("cross_entropy", classLoss(logits: true)),
    ("nll_loss", classLoss(logits: false)),
]

private typealias RG = ReductionGeometry

private func reductionCode(_ args: Arguments) -> Int32 {
    switch args.string("reduction") {
    case "none": Int32(ST_LOSS_NONE)
    case "sum": Int32(ST_LOSS_SUM)
    default: Int32(ST_LOSS_MEAN)
    }
}

/// mse_loss and binary_cross_entropy_with_logits: one term per element (operands: input,
/// target, weight, pos_weight, output), then the reduction.
private let elementwiseLoss: Kernel = { call in
    let args = call.arguments
    let name = args.schema.name
    let x = args.tensor("self"), t = args.tensor("target"), out = call.output
    let isBCE = name == "binary_cross_entropy_with_logits"
    let w = isBCE ? args.optionalTensor("weight") : nil, pw = isBCE ? args.optionalTensor("pos_weight") : nil
    let reduction = reductionCode(args)
    // The unreduced output is contiguous in x's shape; a reduced one is a single value.
    let outStrides = reduction == Int32(ST_LOSS_NONE) ? out.strides : [Int](repeating: 0, count: x.rank)
    let dims = RG.coalesce((0..<x.rank).map { d in
        GeometryDim(x.shape[d], [x.strides[d], t.strides[d], w?.strides[d] ?? 0, pw?.strides[d] ?? 0, outStrides[d]])
    })
    try RG.with(outer: dims, inner: [], name) { g in
        switch x.dtype {
        case .float32:
            let p = { (t: Tensor?) in t.map { RG.pointer($0, Float.self) } }
            try RG.check(isBCE ? st_bce_logits_f32(p(x), p(t), p(w), p(pw), g, reduction, p(out))
                               : st_mse_loss_f32(p(x), p(t), g, reduction, p(out)), name)
        case .float64:
            let p = { (t: Tensor?) in t.map { RG.pointer($0, Double.self) } }
            try RG.check(isBCE ? st_bce_logits_f64(p(x), p(t), p(w), p(pw), g, reduction, p(out))
                               : st_mse_loss_f64(p(x), p(t), g, reduction, p(out)), name)
        default:
            throw RG.unsupported(name, x.dtype)
        }
    }
}

/// cross_entropy (`logits`: log_softmax first) and nll_loss. The class dim is 0 for a 1-D
/// input and 1 otherwise; every other position is a sample, in the target's row-major order.
private func classLoss(logits: Bool) -> Kernel {
    { call in
        let args = call.arguments
        let name = args.schema.name
        let x = args.tensor("self"), target = args.tensor("target"), out = call.output
        let weight = args.optionalTensor("weight")
        let probabilities = target.dtype.isFloatingPoint
        let classDim = x.rank == 1 ? 0 : 1
        let reduction = reductionCode(args)
        // Sample dims: x's dims without the class dim; the target (index targets lack the
        // class dim) and the unreduced output follow the same order.
        var outer: [GeometryDim] = []
        var sample = 0
        for d in 0..<x.rank where d != classDim {
            let targetStride = target.strides[probabilities ? d : sample]
            let outStride = reduction == Int32(ST_LOSS_NONE) ? out.strides[sample] : 0
            outer.append(GeometryDim(x.shape[d], [x.strides[d], targetStride, 0, 0, outStride]))
            sample += 1
        }
        let inner = [GeometryDim(x.shape[classDim], [x.strides[classDim], probabilities ? target.strides[classDim] : 0])]
        var options = st_class_loss(logits: logits ? 1 : 0, reduction: reduction,
                                    ignore_index: Int64(args.int("ignore_index")),
                                    label_smoothing: logits ? args.double("label_smoothing") : 0,
                                    weight_stride: Int64(weight?.strides[0] ?? 0))
        let index = probabilities ? nil : RG.pointer(target, Int64.self)
        try RG.with(outer: RG.coalesce(outer), inner: inner, name) { g in
            switch x.dtype {
            case .float32:
                let p = { (t: Tensor?) in t.map { RG.pointer($0, Float.self) } }
                try RG.check(st_class_loss_f32(p(x), index, probabilities ? p(target) : nil, p(weight), g, &options, p(out)), name)
            case .float64:
                let p = { (t: Tensor?) in t.map { RG.pointer($0, Double.self) } }
                try RG.check(st_class_loss_f64(p(x), index, probabilities ? p(target) : nil, p(weight), g, &options, p(out)), name)
            default:
                throw RG.unsupported(name, x.dtype)
            }
        }
    }
}
