import SwiftTorchCore

// Shape reference kernels. Only `cat` copies data; the other shape operators are views
// implemented above the backends.

let shapeKernels: [(String, Kernel)] = [("cat", catKernel)]

/// Concatenation along `dim`. Meta has cast the tensors to the output's dtype, wrapped
/// `dim`, checked that the other sizes agree, and dropped legacy 1-D empty inputs.
///
/// Viewing every tensor as [outer, size_d * inner] (row-major), the output's row `o` is the
/// inputs' rows `o` one after another.
private let catKernel: Kernel = { call in
    let tensors = call.arguments.tensorList("tensors").filter { $0.count > 0 }
    let out = call.output
    if out.count == 0 { return }
    let d = call.arguments.int("dim")
    guard d >= 0, d < out.rank else {
        throw TorchError(.dimOutOfRange, "cat: internal: dim \(d) for an output of shape \(describe(shape: out.shape))")
    }
    let outer = out.shape[..<d].reduce(1, *)
    let inner = out.shape[(d + 1)...].reduce(1, *)
    var rowLengths: [Int] = []
    for t in tensors {
        guard t.rank == out.rank, t.count == outer * t.shape[d] * inner else {
            throw TorchError(.shapeMismatch, "cat: internal: input \(describe(shape: t.shape)) does not fit output \(describe(shape: out.shape)) along dim \(d)")
        }
        rowLengths.append(t.shape[d] * inner)
    }
    guard rowLengths.reduce(0, +) * outer == out.count else {
        throw TorchError(.shapeMismatch, "cat: internal: inputs do not fill the output \(describe(shape: out.shape))")
    }

    func interleave<T>(_ parts: [[T]]) -> [T] {
        var result: [T] = []
        result.reserveCapacity(out.count)
        for o in 0..<outer {
            for (part, length) in zip(parts, rowLengths) {
                result.append(contentsOf: part[(o * length)..<((o + 1) * length)])
            }
        }
        return result
    }
    if out.dtype.isFloatingPoint {
        out.setDoubleValues(interleave(tensors.map { $0.doubleValues() }))
    } else {
        out.setInt64Values(interleave(tensors.map { $0.int64Values() }))
    }
}
