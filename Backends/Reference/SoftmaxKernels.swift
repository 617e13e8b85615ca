import SwiftTorchCore
#if canImport(Glibc)
import Glibc
#endif

// softmax / log_softmax along one dim. The meta rule has wrapped `dim` and cast `self` to
// the (floating-point) output dtype.

let softmaxKernels: [(String, Kernel)] = [
    ("softmax", alongDim(softmax)),
    ("log_softmax", alongDim(logSoftmax)),
]

/// The maximum used to shift exponents: NaN if any member is NaN, -inf for an empty group.
private func shiftFor(_ group: [Double]) -> Double {
    extremumPosition(group, largest: true).map { group[$0] } ?? -Double.infinity
}

/// exp(x - max) / sum. A row of all -inf gives (-inf) - (-inf) = NaN everywhere, and a +inf
/// gives NaN too, as in PyTorch.
func softmax(_ group: [Double]) -> [Double] {
    let m = shiftFor(group)
    let e = group.map { exp($0 - m) }
    let s = doubleSum(e)
    return e.map { $0 / s }
}

/// x - max - log(sum(exp(x - max))): never log(softmax(x)), which underflows to -inf for
/// logits far below the maximum (log_softmax([1e4, 0]) must be [0, -1e4]).
func logSoftmax(_ group: [Double]) -> [Double] {
    let m = shiftFor(group)
    var s = 0.0
    for v in group { s += exp(v - m) }
    let logSum = log(s)
    return group.map { $0 - m - logSum }
}

/// A kernel applying `transform` to every slice along `dim`.
private func alongDim(_ transform: @escaping @Sendable ([Double]) -> [Double]) -> Kernel {
    { call in
        let x = call.arguments.tensor("self")
        let plan = ReductionPlan(shape: x.shape, reducing: [call.arguments.int("dim")])
        call.output.setDoubleValues(plan.transform(x.doubleValues(), transform))
    }
}
