import SwiftTorchCore

// In-place reference kernels. Meta (InPlaceRules.swift) has cast every operand to `self`'s
// dtype and broadcast it to `self`'s shape, so a kernel reads `self` and its operands and
// writes `self` back through its own strides (setDoubleValues walks the view).

private typealias E = ElementwiseSupport

/// The out-of-place kernel of `name`, with `self` as its output: add_ is add written into
/// self (PyTorch's structured_delegate). The reference reads every input before it writes,
/// so an operand that is `self` itself reads the old values.
private func writingSelf(_ name: String) -> (String, Kernel) {
    let kernel = elementwiseKernels.first { $0.0 == name }!.1
    return (name + "_", { call in try kernel(KernelCall(arguments: call.arguments, outputs: [call.arguments.tensor("self")])) })
}

let inPlaceKernels: [(String, Kernel)] = ["add", "sub", "mul", "div", "clamp"].map(writingSelf) + ternaryAndFillKernels

private let ternaryAndFillKernels: [(String, Kernel)] = [
    ("addcmul_", { call in
        let t = call.arguments.tensor("self")
        let value = try E.alphaScalar(call, "addcmul_", integerTensors: !t.dtype.isFloatingPoint, name: "value")
        // PyTorch's order: self + (value * tensor1) * tensor2.
        try applyTernary("addcmul_", call, float: { $0 + value.double * $1 * $2 }, int: { $0 &+ value.int &* $1 &* $2 })
    }),
    ("addcdiv_", { call in
        let value = E.doubleScalar(call.arguments["value"]) ?? 1
        try applyTernary("addcdiv_", call, float: { $0 + value * $1 / $2 }, int: nil)
    }),
    // PyTorch's lerp: from the nearer end, so weight 1 gives `end` exactly.
    ("lerp_", { call in try applyTernary("lerp_", call, float: E.lerp, int: nil) }),
    ("fill_", { call in fill(call.arguments.tensor("self"), call.arguments["value"]) }),
    ("zero_", { call in fill(call.arguments.tensor("self"), .int(0)) }),
]

/// `self = f(self, second, third)` for the two tensor operands after `self` in the schema.
private func applyTernary(_ op: String, _ call: KernelCall, float: (Double, Double, Double) -> Double,
                          int: ((Int64, Int64, Int64) -> Int64)?) throws {
    let names = call.arguments.schema.tensorArgumentIndices.map { call.arguments.schema.arguments[$0].name }
    let t = call.arguments.tensor("self"), a = call.arguments.tensor(names[1]), b = call.arguments.tensor(names[2])
    guard a.count == t.count, b.count == t.count else {
        throw TorchError(.shapeMismatch, "\(op): internal: operands were not broadcast to self \(describe(shape: t.shape))")
    }
    if t.dtype.isFloatingPoint {
        let x = t.doubleValues(), y = a.doubleValues(), z = b.doubleValues()
        t.setDoubleValues(x.indices.map { float(x[$0], y[$0], z[$0]) })
    } else if let int {
        let x = t.int64Values(), y = a.int64Values(), z = b.int64Values()
        t.setInt64Values(x.indices.map { int(x[$0], y[$0], z[$0]) })
    } else {
        throw TorchError(.dtypeMismatch, "\(op): the reference backend has no \(t.dtype) kernel (meta should have refused it)")
    }
}

/// Every element of `t` set to `value`, converted as `full` converts its fill value: a
/// float through Double (the float-to-int rule: a float into an integer tensor truncates,
/// as PyTorch's fill_ does), an int or bool through Int64.
private func fill(_ t: Tensor, _ value: ArgumentValue) {
    if case .double(let v) = value {
        t.setDoubleValues(Array(repeating: v, count: t.count))
    } else {
        t.setInt64Values(Array(repeating: E.int64Scalar(value) ?? 0, count: t.count))
    }
}
