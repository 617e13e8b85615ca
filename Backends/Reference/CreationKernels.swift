import SwiftTorchCore

// Creation and conversion reference kernels. Meta has chosen the output's shape and dtype;
// these fill it. Integer outputs are computed in Int64 so that large values stay exact.
// Elements are written one by one, never gathered into an array first: an output the
// allocator could give may still be too large for a Swift array of `Double`s (eight bytes
// per bool element), whose allocation cannot fail softly.

private typealias E = ElementwiseSupport

let creationKernels: [(String, Kernel)] = [
    ("full", fullKernel), ("arange", arangeKernel), ("linspace", linspaceKernel),
    ("eye", eyeKernel), ("_to_copy", toCopyKernel),
]

private let fullKernel: Kernel = { call in
    let out = call.output, value = call.arguments["fill_value"]
    // Int and bool fill values go through Int64 (exact for integer outputs, one rounding for
    // float ones); a float one through Double, which applies the float-to-int rule.
    if case .double(let v) = value {
        out.setDoubleValues { _ in v }
    } else {
        let v = E.int64Scalar(value) ?? 0
        out.setInt64Values { _ in v }
    }
}

/// Element i is `start + i * step`. Like PyTorch, an integer output converts start and step
/// to integers first (its length was computed from the exact values by meta).
private let arangeKernel: Kernel = { call in
    let out = call.output
    let start = call.arguments["start"], step = call.arguments["step"]
    if out.dtype.isFloatingPoint {
        let s = E.doubleScalar(start) ?? 0, d = E.doubleScalar(step) ?? 1
        out.setDoubleValues { s + Double($0) * d }
    } else {
        let s = E.int64Scalar(start) ?? 0, d = E.int64Scalar(step) ?? 1
        out.setInt64Values { s &+ Int64($0) &* d }
    }
}

/// PyTorch's formula: the first half counts up from `start`, the second half down from
/// `end`, so both ends are exact. Integer outputs convert start and end to integers first.
private let linspaceKernel: Kernel = { call in
    let out = call.output, steps = out.count
    var start = call.arguments.double("start"), end = call.arguments.double("end")
    if !out.dtype.isFloatingPoint {
        start = Double(E.int64Scalar(call.arguments["start"]) ?? 0)
        end = Double(E.int64Scalar(call.arguments["end"]) ?? 0)
    }
    if steps == 0 { return }
    if steps == 1 { out.setDoubleValues { _ in start }; return }
    let step = (end - start) / Double(steps - 1)
    let halfway = steps / 2
    out.setDoubleValues { i in
        i < halfway ? start + step * Double(i) : end - step * Double(steps - 1 - i)
    }
}

private let eyeKernel: Kernel = { call in
    let out = call.output
    guard out.rank == 2 else {
        throw TorchError(.shapeMismatch, "eye: internal: expected a 2-D output, got \(describe(shape: out.shape))")
    }
    let columns = out.shape[1]
    // Row-major: element k is at row k / columns, column k % columns.
    out.setInt64Values { k in k / columns == k % columns ? 1 : 0 }
}

/// Copies `self` into the output, converting the dtype. Integer and bool sources go through
/// Int64 (exact, and a single rounding into float32); float sources through Double, so a
/// float becomes an integer by ``DType/integerValue(_:)`` and a bool by `!= 0`.
private let toCopyKernel: Kernel = { call in
    let x = call.arguments.tensor("self"), out = call.output
    guard x.shape == out.shape else {
        throw TorchError(.shapeMismatch, "_to_copy: internal: \(describe(shape: x.shape)) into \(describe(shape: out.shape))")
    }
    let p = out.storage.data, floating = x.dtype.isFloatingPoint
    out.forEachElementOffset(alongside: x) { o, source in
        if floating {
            out.dtype.store(x.doubleElement(atOffset: source), at: p, element: o)
        } else {
            out.dtype.store(x.int64Element(atOffset: source), at: p, element: o)
        }
    }
}
