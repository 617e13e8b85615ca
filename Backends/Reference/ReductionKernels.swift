import SwiftTorchCore
#if canImport(Glibc)
import Glibc
#endif

// Reductions. The meta rules (Sources/SwiftTorch/Ops/ReductionOps.swift) have already:
// - rewritten `dim` of sum/mean/prod/amax/amin/var/std/logsumexp to a sorted list of
//   distinct, non-negative dims (every dim when none was given);
// - wrapped `dim` of max/min/argmax/argmin (nil = over all elements) and of cumsum;
// - cast `self` to the accumulation dtype, so `self.dtype` is the output's dtype, except
//   amax/amin of bool (read as int64, written back as bool).
// Floating-point inputs are read as Double and integers (and bool) as Int64, so each kernel
// has exactly two paths and integer arithmetic wraps instead of trapping.

let reductionKernels: [(String, Kernel)] = [
    ("sum", sumKernel), ("mean", meanKernel), ("prod", prodKernel),
    ("amax", extremumKernel(largest: true)), ("amin", extremumKernel(largest: false)),
    ("max", valuesAndIndicesKernel(largest: true)), ("min", valuesAndIndicesKernel(largest: false)),
    ("argmax", argExtremumKernel(largest: true)), ("argmin", argExtremumKernel(largest: false)),
    ("var", varianceKernel(takeRoot: false)), ("std", varianceKernel(takeRoot: true)),
    ("logsumexp", logsumexpKernel), ("cumsum", cumsumKernel),
]

/// The plan for an operator whose meta rule left `dim` as a sorted list.
private func listPlan(_ call: KernelCall) -> (Tensor, ReductionPlan) {
    let x = call.arguments.tensor("self")
    return (x, ReductionPlan(shape: x.shape, reducing: call.arguments.ints("dim")))
}

/// The plan for max/min/argmax/argmin: one dim, or every element when `dim` is nil.
private func optionalDimPlan(_ call: KernelCall) -> (Tensor, ReductionPlan) {
    let x = call.arguments.tensor("self")
    let dims = call.arguments.optionalInt("dim").map { [$0] } ?? Array(0..<x.rank)
    return (x, ReductionPlan(shape: x.shape, reducing: dims))
}

/// The meta rules reject reductions of empty groups for operators without an identity;
/// this keeps a kernel called directly from trapping.
private func emptyGroupError(_ op: String) -> TorchError {
    TorchError(.invalidArgument, "\(op): cannot reduce a zero-size dimension; \(op) has no identity")
}

private let sumKernel: Kernel = { call in
    let (x, plan) = listPlan(call)
    if x.dtype.isFloatingPoint {
        call.output.setDoubleValues(plan.reduce(x.doubleValues(), doubleSum))
    } else {
        call.output.setInt64Values(plan.reduce(x.int64Values(), wrappingSum))
    }
}

/// Sum / count; an empty group gives 0 / 0 = NaN, as in PyTorch. Meta makes `self` float.
private let meanKernel: Kernel = { call in
    let (x, plan) = listPlan(call)
    let count = Double(plan.groupSize)
    call.output.setDoubleValues(plan.reduce(x.doubleValues()) { doubleSum($0) / count })
}

/// An empty product is 1.
private let prodKernel: Kernel = { call in
    let (x, plan) = listPlan(call)
    if x.dtype.isFloatingPoint {
        call.output.setDoubleValues(plan.reduce(x.doubleValues()) { $0.reduce(1.0, *) })
    } else {
        call.output.setInt64Values(plan.reduce(x.int64Values()) { $0.reduce(Int64(1), &*) })
    }
}

/// amax/amin: the extremum's value; NaN wins.
private func extremumKernel(largest: Bool) -> Kernel {
    let op = largest ? "amax" : "amin"
    return { call in
        let (x, plan) = listPlan(call)
        func pick<T: Comparable>(_ group: [T]) throws -> T {
            guard let i = extremumPosition(group, largest: largest) else { throw emptyGroupError(op) }
            return group[i]
        }
        if x.dtype.isFloatingPoint {
            call.output.setDoubleValues(try plan.reduce(x.doubleValues(), pick))
        } else {
            call.output.setInt64Values(try plan.reduce(x.int64Values(), pick))
        }
    }
}

/// max/min: without `dim` one output (the value over all elements); with it, values and
/// int64 indices along `dim`. First index on ties; the first NaN wins.
private func valuesAndIndicesKernel(largest: Bool) -> Kernel {
    let op = largest ? "max" : "min"
    return { call in
        let (x, plan) = optionalDimPlan(call)
        func pick<T: Comparable>(_ group: [T]) throws -> (T, Int64) {
            guard let i = extremumPosition(group, largest: largest) else { throw emptyGroupError(op) }
            return (group[i], Int64(i))
        }
        let indices: [Int64]
        if x.dtype.isFloatingPoint {
            let picked = try plan.reduce(x.doubleValues(), pick)
            call.outputs[0].setDoubleValues(picked.map(\.0))
            indices = picked.map(\.1)
        } else {
            let picked = try plan.reduce(x.int64Values(), pick)
            call.outputs[0].setInt64Values(picked.map(\.0))
            indices = picked.map(\.1)
        }
        if call.outputs.count > 1 { call.outputs[1].setInt64Values(indices) }
    }
}

/// argmax/argmin: the position along `dim`, or the flat row-major index when `dim` is nil.
private func argExtremumKernel(largest: Bool) -> Kernel {
    let op = largest ? "argmax" : "argmin"
    return { call in
        let (x, plan) = optionalDimPlan(call)
        func position<T: Comparable>(_ group: [T]) throws -> Int64 {
            guard let i = extremumPosition(group, largest: largest) else { throw emptyGroupError(op) }
            return Int64(i)
        }
        if x.dtype.isFloatingPoint {
            call.output.setInt64Values(try plan.reduce(x.doubleValues(), position))
        } else {
            call.output.setInt64Values(try plan.reduce(x.int64Values(), position))
        }
    }
}

/// Two-pass variance: sum of squared deviations / max(0, N - correction). As in PyTorch
/// 0 / 0 is NaN (one element with correction 1, or an empty group) and x / 0 is inf.
func variance(_ group: [Double], correction: Double) -> Double {
    let n = Double(group.count)
    let mean = doubleSum(group) / n
    var squares = 0.0
    for v in group { squares += (v - mean) * (v - mean) }
    return squares / Swift.max(0, n - correction)
}

private func varianceKernel(takeRoot: Bool) -> Kernel {
    { call in
        let (x, plan) = listPlan(call)
        let correction = call.arguments.optionalDouble("correction") ?? 1
        call.output.setDoubleValues(plan.reduce(x.doubleValues()) { group in
            let v = variance(group, correction: correction)
            return takeRoot ? v.squareRoot() : v
        })
    }
}

/// log(sum(exp(x))) computed as PyTorch does: shift by the maximum unless it is infinite
/// (then shift by 0), so all -inf gives log(0) = -inf, a +inf gives +inf, NaN gives NaN,
/// and an empty group gives -inf.
func logSumExp(_ group: [Double]) -> Double {
    let m = extremumPosition(group, largest: true).map { group[$0] } ?? -Double.infinity
    let shift = m.isInfinite ? 0 : m
    var s = 0.0
    for v in group { s += exp(v - shift) }
    return log(s) + shift
}

private let logsumexpKernel: Kernel = { call in
    let (x, plan) = listPlan(call)
    call.output.setDoubleValues(plan.reduce(x.doubleValues(), logSumExp))
}

/// Running sum along `dim`; floats accumulate in Double, integers wrap in Int64.
private let cumsumKernel: Kernel = { call in
    let x = call.arguments.tensor("self")
    let plan = ReductionPlan(shape: x.shape, reducing: [call.arguments.int("dim")])
    if x.dtype.isFloatingPoint {
        call.output.setDoubleValues(plan.transform(x.doubleValues()) { group in
            var s = 0.0
            return group.map { s += $0; return s }
        })
    } else {
        call.output.setInt64Values(plan.transform(x.int64Values()) { group in
            var s: Int64 = 0
            return group.map { s = s &+ $0; return s }
        })
    }
}
